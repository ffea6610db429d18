"""The raw-SDK function, the floor of the SCF cold-start comparison: shipped as ``index.py``.

What someone writes first with the SDK alone: read SdkAppId and TaskId from a Function URL
query, make the typed call with the role's credentials, answer its JSON. ``bench/scf_cold.py``
zips it with ``tencentcloud-sdk-python-ccc`` installed the obvious way (pip, no bytecode).
"""

import os
from urllib.parse import urlsplit

from tencentcloud.ccc.v20200210 import models
from tencentcloud.ccc.v20200210.ccc_client import CccClient
from tencentcloud.common.credential import Credential
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile


def main_handler(event, context):
    query = event["queryString"]
    endpoint = urlsplit(os.environ["CCC_ENDPOINT"])
    credential = Credential(
        os.environ["TENCENTCLOUD_SECRETID"],
        os.environ["TENCENTCLOUD_SECRETKEY"],
        os.environ["TENCENTCLOUD_SESSIONTOKEN"],
    )
    profile = ClientProfile(
        httpProfile=HttpProfile(endpoint=endpoint.netloc, protocol=endpoint.scheme)
    )
    request = models.DescribeAutoCalloutTaskRequest()
    request.SdkAppId = int(query["SdkAppId"])
    request.TaskId = int(query["TaskId"])
    response = CccClient(credential, "", profile).DescribeAutoCalloutTask(request)
    return {
        "isBase64Encoded": False,
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": response.to_json_string(),
    }
