"""Where infra/ and its checks' data are: the working root, the module, the policies, the
provider schema files and checkov's own virtualenv."""

from __future__ import annotations

from pathlib import Path

from tests.paths import REPO

INFRA = REPO / "infra"  # the working root a newcomer runs
MODULE = INFRA / "modules" / "autocallout"  # what it (and a team's own roots) source
POLICIES = INFRA / "policies"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "tencentcloud-provider-schema.json"
# The resources of the operations layer (log index, alarms, notices), same provider commit.
OPERATIONS_SCHEMA_FILE = SCHEMA_FILE.with_name("tencentcloud-provider-schema-operations.json")
# The same provider release's schema of the resources the rate limit's store adds (see its README).
STORE_SCHEMA_FILE = SCHEMA_FILE.with_name("tencentcloud-provider-schema-rate-limit-store.json")
# The data sources the module reads (an existing gateway service, SSM secrets, your subnets).
DATA_SOURCES_SCHEMA_FILE = SCHEMA_FILE.with_name("tencentcloud-provider-schema-data-sources.json")
CHECKOV_VENV = REPO / ".venv-checkov"
CHECKOV = CHECKOV_VENV / "bin" / "checkov"
