"""A local Tencent Cloud: moto-style fakes of the control-plane APIs infra/ uses, and a data plane.

    from autocallout.local_cloud import LocalCloud

    with LocalCloud() as cloud:                 # emulator + fake CCC + data plane, on loopback
        env = cloud.terraform_environment()     # TENCENTCLOUD_DOMAIN, HTTP_PROXY, credentials...
        ...                                     # terraform apply, or Tencent's SDK clients

Layout, as in moto and the fake CCC: ``models`` (state), ``responses/<service>`` (one function
per action: scf, cam, cls, monitor, tag, ssm), ``wire`` (Cloud API 3.0: routing, TC3, envelope),
``runtime`` (functions run from their zip, Function URLs, timers, logs into CLS) and ``server``.
See docs/local-cloud.md.
"""

from autocallout.local_cloud.errors import CloudError
from autocallout.local_cloud.models import LOCAL_CREDENTIALS, CloudBackend
from autocallout.local_cloud.server import DOMAIN, LocalCloud

__all__ = ["DOMAIN", "LOCAL_CREDENTIALS", "CloudBackend", "CloudError", "LocalCloud"]
