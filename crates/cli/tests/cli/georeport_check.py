"""Checks xinfang's Open311 GeoReport v2 endpoint with the `georeport` client from PyPI:
services, definitions, and a request posted with a key read back in JSON and XML."""
import re, sys, requests
from georeport import GeoReport

base = sys.argv[1]
root = base + "/open311/v2"
s = requests.Session()
s.post(base + "/login", data={"username": "admin", "password": sys.argv[2]}, allow_redirects=False).raise_for_status()
page = s.get(base + "/admin").text
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
done = s.post(base + "/admin/api-keys", data={"csrf": csrf, "name": "georeport"}).text
key = re.search(r"接口密钥：([A-Za-z0-9_-]+)", done).group(1)
posted = requests.post(root + "/requests.json", data={
    "api_key": key, "service_code": "ldsb-qxgz", "description": "公司拖欠三个月工资，请求责令支付。",
    "attribute[petitioner_name]": "测试人", "attribute[title]": "拖欠工资", "phone": "13800138000", "address_string": "清河市东城区幸福路8号"})
print("post", posted.status_code, posted.text[:200])
rid = posted.json()[0]["service_request_id"]
for fmt in ("json", "xml"):
    c = GeoReport(root, output_format=fmt, api_key=key)
    services = c.get_service_list()
    assert len(services) > 0, services
    d = c.get_service_definition(services[0]["service_code"])
    assert d["service_code"] == services[0]["service_code"], d
    reqs = c.get_service_requests()
    assert reqs, f"{fmt}: no requests"
    one = c.get_service_request(rid)
    print(fmt, "services", len(services), "requests", reqs if isinstance(reqs, dict) else len(reqs), "one", str(one)[:160])
print("georeport: all calls answered")
