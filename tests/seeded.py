"""What tests ask the fake CCC for by name: a task of its bundled seed, and the role its STS
lets a caller assume. One definition here, not one per test file."""

from __future__ import annotations

from typing import Final

# Task 3 of SdkAppId 1400000000 in the fake's bundled seed (autocallout/fake_ccc/data).
TASK: Final = {"SdkAppId": 1400000000, "TaskId": 3}
# A role of the fake's own account that CCC_ROLE_ARN names in the tests of assumed roles.
ROLE: Final = "qcs::cam::uin/100000000001:roleName/ccc-reader"
