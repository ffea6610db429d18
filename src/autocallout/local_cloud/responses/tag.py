"""Tag (2018-08-13): the tags of every resource, by its six-part resource name.

Shapes: Tag's API reference (ModifyResourceTags, DescribeResourceTagsByResourceIds'
TagResource) and the provider's service_tencentcloud_tag.go, which writes tags with
ModifyResourceTags and reads them with DescribeResourceTagsByResourceIds (ServiceType,
ResourcePrefix, ResourceRegion, ResourceIds). The services' own answers read the same store.
"""

from __future__ import annotations

from autocallout.local_cloud.errors import CloudError
from autocallout.local_cloud.models import CloudBackend, JSONObject
from autocallout.local_cloud.responses import Params, Service, page, tags_from

_RESOURCE_PARTS = 6  # qcs::service:region:uin/<uin>:prefix/id


def modify_resource_tags(backend: CloudBackend, params: Params) -> JSONObject:
    resource = params.name("Resource")
    if len(resource.split(":")) != _RESOURCE_PARTS or not resource.startswith("qcs::"):
        raise CloudError(
            "InvalidParameterValue.ResourceDescriptionError",
            "Resource must be qcs::<service>:<region>:uin/<uin>:<prefix>/<id>.",
        )
    replace = tags_from(params, "ReplaceTags")
    delete = []
    for item in params.objects("DeleteTags"):
        key = item.get("TagKey")
        if not isinstance(key, str) or not key:
            raise CloudError("InvalidParameterValue.DeleteTagsParamError", "TagKey is missing.")
        delete.append(key)
    if set(replace) & set(delete):
        raise CloudError(
            "InvalidParameterValue.DeleteTagsParamError",
            "A tag key cannot be both replaced and deleted.",
        )
    backend.set_tags(resource, replace, delete)
    return {}


def describe_resource_tags_by_resource_ids(backend: CloudBackend, params: Params) -> JSONObject:
    service = params.name("ServiceType")
    prefix = params.name("ResourcePrefix")
    region = params.text("ResourceRegion", "")
    ids = [str(i) for i in params.items("ResourceIds")]
    if not ids:
        raise CloudError("MissingParameter", "The request is missing ResourceIds.")
    found: list[JSONObject] = []
    for resource_id in ids:
        name = backend.resource_name(service, prefix, resource_id, region)
        found.extend(
            {"TagKey": k, "TagValue": v, "ResourceId": resource_id}
            for k, v in sorted(backend.tags_of(name).items())
        )
    offset = params.integer("Offset", 0, low=0)
    limit = params.integer("Limit", 15, low=1, high=1000)
    return {
        "Tags": page(found, params, 15),
        "TotalCount": len(found),
        "Offset": offset,
        "Limit": limit,
    }


SERVICE = Service(
    "tag",
    "2018-08-13",
    {
        "ModifyResourceTags": modify_resource_tags,
        "DescribeResourceTagsByResourceIds": describe_resource_tags_by_resource_ids,
    },
)
