"""Tests of the ARM emulator, speaking HTTP to it on loopback.

python3 -m unittest discover -s Tests/Emulator -v
"""

import glob
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import unittest
from urllib.parse import quote, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import arm_emulator  # noqa: E402  (the validator is tested directly too)

SUB = "11111111-2222-3333-4444-555555555555"
RG = "/subscriptions/%s/resourceGroups/rg-backup" % SUB
VAULT = RG + "/providers/Microsoft.RecoveryServices/vaults/vault-a"
VAULT_B = RG + "/providers/Microsoft.RecoveryServices/vaults/vault-b"
NSG = RG + "/providers/Microsoft.Network/networkSecurityGroups/nsg-web"
VM = "/subscriptions/%s/resourceGroups/rg-vms/providers/Microsoft.Compute/virtualMachines/vm-01" % SUB
ITEM = VAULT + "/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;rg-vms;vm-01/protectedItems/VM;iaasvmcontainerv2;rg-vms;vm-01"
ITEM_B = ITEM.replace("/vault-a/", "/vault-b/")
VAULT_API = "?api-version=2026-08-01"
BACKUP_API = "?api-version=2025-08-01"
NETWORK_API = "?api-version=2025-05-01"
SPECS = os.path.join(HERE, "specs", "specification")
OPERATION_SECONDS = 0.3


def example(pattern):
    path = glob.glob(os.path.join(SPECS, "**", pattern), recursive=True)[0]
    with open(path) as f:
        return json.load(f)


def policy_body(days=30):
    return {"properties": {
        "backupManagementType": "AzureIaasVM", "instantRpRetentionRangeInDays": 2, "timeZone": "UTC",
        "schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": "Daily",
                           "scheduleRunTimes": ["2024-01-01T23:00:00Z"]},
        "retentionPolicy": {"retentionPolicyType": "LongTermRetentionPolicy", "dailySchedule": {
            "retentionTimes": ["2024-01-01T23:00:00Z"], "retentionDuration": {"count": days, "durationType": "Days"}}}}}


def item_body(policy_id, vm=VM):
    return {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": vm, "policyId": policy_id}}


def rule_body(priority, direction="Inbound", port="443"):
    return {"properties": {"protocol": "Tcp", "access": "Allow", "direction": direction, "priority": priority,
                           "sourceAddressPrefix": "10.0.0.0/8", "sourcePortRange": "*",
                           "destinationAddressPrefix": "*", "destinationPortRange": port}}


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None

    def code(self):
        return (self.body or {}).get("error", {}).get("code") if isinstance(self.body, dict) else None


class EmulatorTestCase(unittest.TestCase):
    """Starts one emulator for the class; every test starts from /_emulator/reset."""

    @classmethod
    def setUpClass(cls):
        cls.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "arm_emulator.py"), "--port", "0", "--operation-seconds", str(OPERATION_SECONDS),
             "--check-responses"], stdout=subprocess.PIPE, text=True)
        line = cls.proc.stdout.readline()
        m = re.match(r"^listening on http://127\.0\.0\.1:(\d+)$", line.strip())
        assert m, "unexpected first line %r" % line
        cls.port = int(m.group(1))
        cls.conn = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=30)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        cls.proc.terminate()
        cls.proc.wait(10)
        cls.proc.stdout.close()

    def setUp(self):
        self.call("POST", "/_emulator/reset")
        self.call("POST", "/_emulator/config", {"operation_seconds": OPERATION_SECONDS, "lro_style": "both", "throttle": True,
                                                 "write_burst": 200, "write_refill": 10, "read_burst": 250, "read_refill": 25,
                                                 "page_size": 200, "token_seconds": 3600})
        self.token = self.sign_in()
        self.expected_violations = False

    def tearDown(self):
        violations = self.call("GET", "/_emulator/violations").body
        self.assertEqual([v for v in violations if v["kind"] == "response"], [], "the emulator's own responses must match the spec")
        if not self.expected_violations:
            self.assertEqual(violations, [])

    # -- plumbing ------------------------------------------------------------------------------

    def call(self, method, path, body=None, headers=None, raw=None, auth=False):
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if auth:
            h["Authorization"] = "Bearer " + self.token
        if path.startswith("http://"):
            u = urlsplit(path)
            path = u.path + ("?" + u.query if u.query else "")
        for attempt in range(2):
            try:
                self.conn.request(method, quote(path, safe="/;?=&$'%:-._~"), data, h)
                r = self.conn.getresponse()
                payload = r.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt:
                    raise
        text = payload.decode()
        return Reply(r.status, dict(r.getheaders()), json.loads(text) if text else None)

    def arm(self, method, path, body=None, headers=None, raw=None):
        return self.call(method, path, body, headers, raw=raw, auth=True)

    def sign_in(self):
        form = "grant_type=client_credentials&client_id=app&scope=https%3A%2F%2Fmanagement.azure.com%2F.default&client_secret=emulator-secret"
        r = self.call("POST", "/tenant-1/oauth2/v2.0/token", raw=form.encode(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r.body)
        return r.body["access_token"]

    def seed(self, *resources):
        r = self.call("POST", "/_emulator/seed", {"resources": [{"id": i, "body": b} for i, b in resources]})
        self.assertEqual(r.status, 200, r.body)

    def seed_estate(self, items_in_a=0):
        self.seed((VAULT, {"location": "westeurope", "properties": {"redundancySettings": {
            "standardTierStorageRedundancy": "GeoRedundant", "crossRegionRestore": "Enabled"}}}),
                  (VAULT_B, {"location": "westeurope"}))
        for n in range(items_in_a):
            vm = VM.replace("vm-01", "vm-%02d" % n)
            self.seed((ITEM.replace("vm-01", "vm-%02d" % n), {"properties": {
                "sourceResourceId": vm, "policyId": VAULT + "/backupPolicies/DefaultPolicy"}}))

    def wait(self, reply, style="async"):
        """Polls an LRO answer to its end; returns the last status or result reply."""
        url = reply.header("Azure-AsyncOperation") if style == "async" else reply.header("Location")
        self.assertIsNotNone(url, reply.headers)
        for _ in range(100):
            r = self.arm("GET", url)
            if style == "async":
                self.assertEqual(r.status, 200, r.body)
                if r.body["status"] != "InProgress":
                    return r
            elif r.status != 202:
                return r
            time.sleep(0.05)
        self.fail("operation never ended")


class SignInTests(EmulatorTestCase):
    def token_request(self, form):
        return self.call("POST", "/tenant-1/oauth2/v2.0/token", raw=form.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})

    def test_client_secret_grant_answers_a_bearer_token_that_arm_accepts(self):
        r = self.token_request("grant_type=client_credentials&client_id=app&scope=https://management.azure.com/.default&client_secret=emulator-secret")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body["token_type"], "Bearer")
        self.assertEqual(r.body["expires_in"], 3600)
        self.assertEqual(r.body["ext_expires_in"], 3600)
        self.seed_estate()
        self.token = r.body["access_token"]
        self.assertEqual(self.arm("GET", VAULT + VAULT_API).status, 200)

    def test_wrong_secret_is_invalid_client(self):
        r = self.token_request("grant_type=client_credentials&client_id=app&scope=https://management.azure.com/.default&client_secret=nope")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.body["error"], "invalid_client")

    def test_scope_must_end_in_default(self):
        r = self.token_request("grant_type=client_credentials&client_id=app&scope=https://management.azure.com/&client_secret=emulator-secret")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.body["error"], "invalid_scope")

    def test_client_assertion_must_be_jwt_shaped(self):
        t = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ok = self.token_request("grant_type=client_credentials&client_id=app&scope=api://x/.default&client_assertion_type=%s&client_assertion=aGk.eyJ4IjoxfQ.sig" % t)
        self.assertEqual(ok.status, 200, ok.body)
        bad = self.token_request("grant_type=client_credentials&client_id=app&scope=api://x/.default&client_assertion_type=%s&client_assertion=notajwt" % t)
        self.assertEqual(bad.status, 401)
        self.assertEqual(bad.body["error"], "invalid_client")

    def test_github_oidc_then_assertion(self):
        r = self.call("GET", "/_github/oidc?api-version=2.0&audience=api://AzureADTokenExchange",
                      headers={"Authorization": "Bearer github-request-token"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body["count"], 1)
        self.assertTrue(arm_emulator.jwt_shaped(r.body["value"]))
        t = self.token_request("grant_type=client_credentials&client_id=app&scope=https://management.azure.com/.default"
                               "&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=" + r.body["value"])
        self.assertEqual(t.status, 200)
        denied = self.call("GET", "/_github/oidc?audience=api://AzureADTokenExchange", headers={"Authorization": "Bearer wrong"})
        self.assertEqual(denied.status, 401)

    def test_app_service_managed_identity(self):
        r = self.call("GET", "/_msi/token?api-version=2019-08-01&resource=https://management.azure.com/",
                      headers={"X-IDENTITY-HEADER": "identity-header"})
        self.assertEqual(r.status, 200)
        self.assertEqual(set(r.body), {"access_token", "expires_on", "resource", "token_type"})
        self.assertIsInstance(r.body["expires_on"], str)
        self.assertGreater(int(r.body["expires_on"]), time.time())
        self.assertEqual(self.call("GET", "/_msi/token?api-version=2019-08-01&resource=x", headers={"X-IDENTITY-HEADER": "no"}).status, 400)

    def test_imds_managed_identity(self):
        r = self.call("GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/",
                      headers={"Metadata": "true"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body["token_type"], "Bearer")
        self.assertIsInstance(r.body["expires_on"], str)
        self.assertEqual(self.call("GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x").status, 400)

    def test_missing_token_is_401_invalid(self):
        self.seed_estate()
        r = self.call("GET", VAULT + VAULT_API)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.code(), "InvalidAuthenticationToken")
        self.assertTrue(r.header("WWW-Authenticate").startswith("Bearer "))

    def test_expired_token_is_401_expired_and_a_new_token_works(self):
        self.seed_estate()
        self.assertEqual(self.call("POST", "/_emulator/expire-tokens").status, 200)
        r = self.arm("GET", VAULT + VAULT_API)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.code(), "ExpiredAuthenticationToken")
        self.token = self.sign_in()
        self.assertEqual(self.arm("GET", VAULT + VAULT_API).status, 200)

    def test_token_lifetime_is_configurable_and_enforced(self):
        self.call("POST", "/_emulator/config", {"token-seconds": 1})
        self.token = self.sign_in()
        self.seed_estate()
        self.assertEqual(self.arm("GET", VAULT + VAULT_API).status, 200)
        time.sleep(1.1)
        self.assertEqual(self.arm("GET", VAULT + VAULT_API).code(), "ExpiredAuthenticationToken")


class ValidatorTests(unittest.TestCase):
    """The strict validator on its own, against the copied specs."""

    @classmethod
    def setUpClass(cls):
        cls.specs = arm_emulator.SpecSet(arm_emulator.SPECS, [arm_emulator.RS_SPEC, arm_emulator.BK_SPEC, arm_emulator.NW_SPEC])

    def request_errors(self, method, path, body):
        f, _, (bf, schema, _) = self.specs.operation(method, path)
        return self.specs.check(body, bf, schema, request=True)

    def test_every_official_example_request_body_is_valid_and_every_example_response_too(self):
        checked = 0
        for method, _, _, f, op, body in self.specs.routes:
            for ref in op.get("x-ms-examples", {}).values():
                p = os.path.normpath(os.path.join(os.path.dirname(f), ref["$ref"]))
                if not os.path.exists(p):
                    p = p.replace("/RecoveryServicesBackup/stable/", "/stable/")
                if not os.path.exists(p):
                    continue
                with open(p) as fh:
                    ex = json.load(fh)
                for param in op.get("parameters", []):
                    if param.get("in") == "body" and param["name"] in ex["parameters"]:
                        self.assertEqual(self.specs.check(ex["parameters"][param["name"]], body[0], body[1], request=True), [], p)
                        checked += 1
                for code, resp in ex.get("responses", {}).items():
                    schema = op["responses"].get(code, {}).get("schema")
                    if schema and "body" in resp:
                        self.assertEqual(self.specs.check(resp["body"], f, schema, request=False), [], p)
                        checked += 1
        self.assertGreater(checked, 20)

    def test_polymorphic_protected_item_resolves_the_compute_vm_subtype(self):
        path = ITEM
        ok = item_body("p")
        self.assertEqual(self.request_errors("PUT", path, ok), [])
        # friendlyName is defined by AzureIaaSVMProtectedItem (readOnly), so it is found only through the discriminator
        bad = {"properties": dict(ok["properties"], friendlyName="vm-01")}
        self.assertEqual(self.request_errors("PUT", path, bad), [("$.properties.friendlyName", "readOnly property must not be sent")])
        wrong = {"properties": dict(ok["properties"], protectedItemType="Microsoft.Compute/virtualMachinez")}
        errors = self.request_errors("PUT", path, wrong)
        self.assertEqual(len(errors), 1)
        self.assertIn("unknown discriminator value", errors[0][1])

    def test_schedule_and_retention_discriminators(self):
        path = VAULT + "/backupPolicies/p"
        body = policy_body()
        self.assertEqual(self.request_errors("PUT", path, body), [])
        body["properties"]["schedulePolicy"]["hourlySchedule"] = {"interval": 4}  # defined on SimpleSchedulePolicy
        self.assertEqual(self.request_errors("PUT", path, body), [])
        body["properties"]["retentionPolicy"]["retentionPolicyType"] = "SimpleRetentionPolicy"
        errors = self.request_errors("PUT", path, body)
        self.assertEqual([e[0] for e in errors], ["$.properties.retentionPolicy.dailySchedule"])  # not on SimpleRetentionPolicy
        untyped = policy_body()
        del untyped["properties"]["backupManagementType"]
        self.assertIn(("$.properties.backupManagementType", "required property missing"), self.request_errors("PUT", path, untyped))

    def test_types_enums_required_and_flatten(self):
        path = NSG + "/securityRules/r"
        self.assertEqual(self.request_errors("PUT", path, rule_body(100)), [])
        lower = rule_body(100)
        lower["properties"]["protocol"] = "tcp"  # SecurityRuleProtocol is modelAsString: case-insensitive
        self.assertEqual(self.request_errors("PUT", path, lower), [])
        bad = rule_body("100")
        bad["properties"]["access"] = "Maybe"
        del bad["properties"]["direction"]
        errors = dict(self.request_errors("PUT", path, bad))
        self.assertIn("expected an integer", errors["$.properties.priority"])
        self.assertIn("not one of", errors["$.properties.access"])
        self.assertEqual(errors["$.properties.direction"], "required property missing")
        flattened = dict(rule_body(100)["properties"])  # x-ms-client-flatten does not change the wire shape
        errors = self.request_errors("PUT", path, flattened)
        self.assertIn(("$.protocol", "property not defined by the schema"), errors)

    def test_tags_allow_any_string_values_but_not_other_types(self):
        path = VAULT
        body = {"location": "westeurope", "sku": {"name": "Standard"}, "tags": {"team": "platform", "cost-center": "42"}}
        self.assertEqual(self.request_errors("PUT", path, body), [])
        body["tags"]["n"] = 3
        self.assertEqual(self.request_errors("PUT", path, body), [('$.tags.n', 'expected a string, got int')])
        self.assertEqual(self.request_errors("PUT", path, {"sku": {"name": "Standard"}}), [("$.location", "required property missing")])


class ContractTests(EmulatorTestCase):
    def assertViolation(self, reply, json_path):
        self.expected_violations = True
        self.assertEqual(reply.status, 400, reply.body)
        self.assertEqual(reply.code(), "EmulatorContractViolation")
        self.assertEqual(reply.body["error"]["target"], json_path)
        self.assertIn(json_path, reply.body["error"]["message"])
        recorded = self.call("GET", "/_emulator/violations").body
        self.assertIn(json_path, [v["jsonPath"] for v in recorded])

    def test_unknown_property_is_rejected_and_recorded(self):
        self.seed_estate()
        body = item_body(VAULT + "/backupPolicies/DefaultPolicy")
        body["properties"]["diskExclusions"] = []
        self.assertViolation(self.arm("PUT", ITEM + BACKUP_API, body), "$.properties.diskExclusions")
        self.assertEqual(self.arm("GET", ITEM + BACKUP_API).status, 404)

    def test_read_only_property_is_rejected(self):
        body = {"location": "westeurope", "sku": {"name": "Standard"}, "properties": {"provisioningState": "Succeeded"}}
        self.assertViolation(self.arm("PUT", VAULT + VAULT_API, body), "$.properties.provisioningState")
        body = {"id": VAULT, "location": "westeurope", "sku": {"name": "Standard"}}
        self.assertViolation(self.arm("PUT", VAULT + VAULT_API, body), "$.id")

    def test_missing_body_and_wrong_api_version_are_violations(self):
        self.assertViolation(self.arm("PUT", VAULT + VAULT_API), "$")
        r = self.arm("GET", VAULT + "?api-version=2016-06-01")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.code(), "InvalidApiVersionParameter")

    def test_bodies_of_operations_the_emulator_does_not_serve_are_checked_too(self):
        r = self.arm("PUT", NSG + NETWORK_API, {"location": "westeurope", "properties": {"securityRules": [], "colour": "red"}})
        self.assertViolation(r, "$.properties.colour")
        r = self.arm("PUT", NSG + "/securityRules/r" + NETWORK_API, raw=b"{not json")
        self.assertEqual((r.status, r.code()), (400, "InvalidRequestContent"))

    def test_official_example_requests_are_accepted_over_http(self):
        """Each example's request body, sent to the path built from its own parameters."""
        sent = 0
        specs = arm_emulator.SpecSet(arm_emulator.SPECS, [arm_emulator.RS_SPEC, arm_emulator.BK_SPEC, arm_emulator.NW_SPEC])
        served = re.compile(r"(/vaults/[^/]+|/backupPolicies/[^/]+|/protectedItems/[^/]+|/securityRules/[^/]+|/vaultstorageconfig)$", re.I)
        for method, _, _, f, op, body in specs.routes:
            template = next(t for t, item in specs.doc(f)["paths"].items() if item.get(method.lower()) is op)
            for ref in op.get("x-ms-examples", {}).values():
                p = os.path.normpath(os.path.join(os.path.dirname(f), ref["$ref"]))
                p = p if os.path.exists(p) else p.replace("/RecoveryServicesBackup/stable/", "/stable/")
                if body is None or not os.path.exists(p) or not served.search(template):
                    continue
                with open(p) as fh:
                    ex = json.load(fh)["parameters"]
                path = re.sub(r"\{([^}]+)\}", lambda m: ex[m.group(1)], template)
                name = next(q["name"] for q in op["parameters"] if q.get("in") == "body")
                kind, g = arm_emulator.parse_id(path.split("/backupstorageconfig")[0])
                self.call("POST", "/_emulator/reset")
                if kind != "vault" or method == "PATCH" or path.endswith("vaultstorageconfig"):
                    parent = arm_emulator.nsg_id(g) if kind == "rule" else arm_emulator.vault_id(g)
                    self.seed((parent, {"location": "westus"}))
                r = self.arm(method, path + "?api-version=" + ex["api-version"], ex[name])
                self.assertIn(r.status, (200, 201, 202, 204), "%s %s: %s" % (method, p, r.body))
                sent += 1
        self.assertGreaterEqual(sent, 9)

    def test_responses_match_the_response_schemas(self):
        """The self-test: every kind of answer, validated (non-strict about readOnly) against the spec."""
        specs = arm_emulator.SpecSet(arm_emulator.SPECS, [arm_emulator.RS_SPEC, arm_emulator.BK_SPEC, arm_emulator.NW_SPEC])
        self.seed_estate(items_in_a=1)
        self.seed((NSG, {"location": "westeurope", "properties": {"securityRules": [dict(rule_body(100), name="https")]}}))
        self.arm("DELETE", ITEM.replace("vm-01", "vm-00") + BACKUP_API)
        time.sleep(OPERATION_SECONDS + 0.05)
        checks = [(VAULT, VAULT_API), (VAULT + "/backupPolicies", BACKUP_API), (VAULT + "/backupPolicies/DefaultPolicy", BACKUP_API),
                  (VAULT + "/backupPolicies/EnhancedPolicy", BACKUP_API), (VAULT + "/backupProtectedItems", BACKUP_API),
                  (ITEM.replace("vm-01", "vm-00"), BACKUP_API), (VAULT + "/backupstorageconfig/vaultstorageconfig", BACKUP_API),
                  (RG + "/providers/Microsoft.RecoveryServices/vaults", VAULT_API), (NSG, NETWORK_API),
                  (NSG + "/securityRules", NETWORK_API), (NSG + "/securityRules/https", NETWORK_API)]
        for path, api in checks:
            r = self.arm("GET", path + api)
            self.assertEqual(r.status, 200, path)
            f, schema = specs.response_schema("GET", path, 200)
            self.assertEqual(specs.check(r.body, f, schema, request=False), [], path)
        soft = self.arm("GET", ITEM.replace("vm-01", "vm-00") + BACKUP_API).body["properties"]
        self.assertTrue(soft["isScheduledForDeferredDelete"])


class ShapeTests(EmulatorTestCase):
    def test_vault_get_is_shaped_like_the_example(self):
        r = self.arm("PUT", VAULT + VAULT_API, {"location": "West Europe", "sku": {"name": "Standard"}, "tags": {"team": "a"},
                                                "properties": {"redundancySettings": {"standardTierStorageRedundancy": "LocallyRedundant",
                                                                                      "crossRegionRestore": "Disabled"}}})
        self.assertEqual(r.status, 201)
        self.assertEqual(self.arm("GET", VAULT + VAULT_API).status, 404, "visible only when the operation succeeded")
        self.assertEqual(self.wait(r).body["status"], "Succeeded")
        v = self.arm("GET", VAULT + VAULT_API).body
        ex = example("GETVault.json")["responses"]["200"]["body"]
        self.assertTrue({"id", "name", "type", "location", "properties", "sku", "etag"} <= set(ex) & set(v))
        self.assertEqual(v["id"], VAULT)
        self.assertEqual(v["type"], ex["type"])
        self.assertEqual(v["location"], "westeurope")
        self.assertEqual(v["properties"]["provisioningState"], "Succeeded")
        self.assertEqual(v["properties"]["redundancySettings"], {"standardTierStorageRedundancy": "LocallyRedundant", "crossRegionRestore": "Disabled"})
        self.assertEqual(v["tags"], {"team": "a"})
        cfg = self.arm("GET", VAULT + "/backupstorageconfig/vaultstorageconfig" + BACKUP_API).body
        self.assertEqual(cfg["properties"], {"storageModelType": "LocallyRedundant", "storageType": "LocallyRedundant",
                                             "storageTypeState": "Unlocked", "crossRegionRestoreFlag": False})

    def test_policy_list_holds_the_system_policies_and_counts_items(self):
        self.seed_estate(items_in_a=2)
        names = [p["name"] for p in self.arm("GET", VAULT + "/backupPolicies" + BACKUP_API).body["value"]]
        self.assertEqual(names, ["DefaultPolicy", "EnhancedPolicy"])
        p = self.arm("GET", VAULT + "/backupPolicies/DefaultPolicy" + BACKUP_API).body
        self.assertTrue(p["id"].startswith("/Subscriptions/"))
        self.assertEqual(p["properties"]["protectedItemsCount"], 2)
        enhanced = self.arm("GET", VAULT + "/backupPolicies/EnhancedPolicy" + BACKUP_API).body["properties"]
        self.assertEqual((enhanced["policyType"], enhanced["schedulePolicy"]["schedulePolicyType"]), ("V2", "SimpleSchedulePolicyV2"))

    def test_protected_item_answers_in_azures_casing(self):
        self.seed_estate()
        r = self.arm("PUT", ITEM + BACKUP_API, item_body(VAULT + "/backupPolicies/DefaultPolicy"))
        self.assertEqual(r.status, 202)
        self.assertIsNone(r.body)
        self.assertEqual(self.wait(r).body["status"], "Succeeded")
        upper = ITEM.replace("/subscriptions/", "/Subscriptions/").replace("iaasvmcontainerv2;rg-vms;vm-01/", "IAASVMCONTAINERV2;RG-VMS;VM-01/")
        got = self.arm("GET", upper + BACKUP_API).body
        ex = example("Compute_ProtectedItem_Get.json")["responses"]["200"]["body"]
        self.assertTrue(got["id"].startswith("/Subscriptions/%s/" % SUB))
        self.assertIn("/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg-vms;vm-01/protectedItems/vm;iaasvmcontainerv2;rg-vms;vm-01", got["id"])
        self.assertEqual(got["name"], "vm;iaasvmcontainerv2;rg-vms;vm-01")
        self.assertEqual(got["type"], ex["type"])
        p = got["properties"]
        for key in ("protectedItemType", "backupManagementType", "workloadType", "protectionState", "healthStatus", "protectionStatus"):
            self.assertEqual(p[key], ex["properties"][key], key)
        self.assertEqual(p["containerName"], "iaasvmcontainerv2;rg-vms;vm-01")
        self.assertEqual((p["sourceResourceId"], p["virtualMachineId"], p["friendlyName"]), (VM, VM, "vm-01"))
        self.assertEqual(p["policyId"], VAULT.replace("/subscriptions/", "/Subscriptions/") + "/backupPolicies/DefaultPolicy")

    def test_nsg_and_rule_shapes(self):
        self.seed((NSG, {"location": "westeurope", "properties": {"securityRules": [dict(rule_body(100), name="https")]}}))
        rule = self.arm("GET", NSG + "/securityRules/https" + NETWORK_API).body
        ex = example("NetworkSecurityGroupRuleGet.json")["responses"]["200"]["body"]
        self.assertEqual(set(ex) - {"type"}, set(rule) - {"type", "etag"})
        self.assertEqual(set(ex["properties"]), set(rule["properties"]))
        nsg = self.arm("GET", NSG + NETWORK_API).body
        self.assertEqual([r["name"] for r in nsg["properties"]["securityRules"]], ["https"])
        self.assertEqual(len(nsg["properties"]["defaultSecurityRules"]), 6)
        missing = self.arm("GET", NSG + "/securityRules/nope" + NETWORK_API)
        self.assertEqual((missing.status, missing.code()), (404, "NotFound"))

    def test_compute_and_nic_reads_of_seeded_resources(self):
        nic = RG.replace("rg-backup", "rg-vms") + "/providers/Microsoft.Network/networkInterfaces/vm-01-nic"
        self.seed((VM, {"location": "westeurope", "properties": {"networkProfile": {"networkInterfaces": [{"id": nic}]}}}),
                  (nic, {"location": "westeurope", "properties": {"networkSecurityGroup": {"id": NSG}}}))
        vms = self.arm("GET", "/subscriptions/%s/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01" % SUB).body
        self.assertEqual([v["id"] for v in vms["value"]], [VM])
        self.assertEqual(vms["value"][0]["type"], "Microsoft.Compute/virtualMachines")
        self.assertEqual(self.arm("GET", nic + NETWORK_API).body["properties"]["networkSecurityGroup"]["id"], NSG)

    def test_unknown_parents_and_resources_are_404(self):
        self.assertEqual(self.arm("PUT", VAULT + "/backupPolicies/p" + BACKUP_API, policy_body()).code(), "ResourceNotFound")
        self.assertEqual(self.arm("PUT", ITEM + BACKUP_API, item_body("x")).code(), "ResourceNotFound")
        self.assertEqual(self.arm("PUT", NSG + "/securityRules/r" + NETWORK_API, rule_body(100)).code(), "ResourceNotFound")
        self.assertEqual(self.arm("GET", VAULT + VAULT_API).status, 404)

    def test_paging_follows_next_link_and_keeps_the_filter(self):
        self.seed_estate(items_in_a=5)
        self.call("POST", "/_emulator/config", {"page-size": 2})
        url = VAULT + "/backupProtectedItems" + BACKUP_API + "&$filter=backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"
        names, pages = [], 0
        while url:
            r = self.arm("GET", url)
            self.assertEqual(r.status, 200)
            names += [i["properties"]["friendlyName"] for i in r.body["value"]]
            url = r.body.get("nextLink")
            pages += 1
            if url:
                self.assertTrue(url.startswith("http://127.0.0.1:%d/" % self.port))
                self.assertIn("api-version=2025-08-01", url)
                self.assertIn("filter=backupManagementType", url)
        self.assertEqual(names, ["vm-%02d" % n for n in range(5)])
        self.assertEqual(pages, 3)
        other = self.arm("GET", VAULT + "/backupProtectedItems" + BACKUP_API + "&$filter=backupManagementType eq 'AzureStorage'")
        self.assertEqual(other.body["value"], [])


class OperationTests(EmulatorTestCase):
    def test_lro_through_azure_async_operation(self):
        self.seed_estate()
        r = self.arm("PUT", VAULT + "/backupPolicies/daily" + BACKUP_API, policy_body())
        self.assertEqual(r.status, 202)
        self.assertEqual(r.header("Retry-After"), "1")
        self.assertIn("/backupPolicies/daily/operations/", r.header("Azure-AsyncOperation"))
        first = self.arm("GET", r.header("Azure-AsyncOperation"))
        self.assertEqual(first.body["status"], "InProgress")
        self.assertEqual(self.arm("GET", VAULT + "/backupPolicies/daily" + BACKUP_API).status, 404)
        done = self.wait(r)
        self.assertEqual(done.body["status"], "Succeeded")
        self.assertEqual(done.body["name"], done.body["id"])
        self.assertEqual(self.arm("GET", VAULT + "/backupPolicies/daily" + BACKUP_API).body["properties"]["retentionPolicy"]
                         ["dailySchedule"]["retentionDuration"]["count"], 30)

    def test_lro_through_location_only(self):
        self.seed_estate()
        self.call("POST", "/_emulator/config", {"lro-style": "location"})
        r = self.arm("PUT", ITEM + BACKUP_API, item_body(VAULT + "/backupPolicies/DefaultPolicy"))
        self.assertEqual(r.status, 202)
        self.assertIsNone(r.header("Azure-AsyncOperation"))
        running = self.arm("GET", r.header("Location"))
        self.assertEqual(running.status, 202)
        done = self.wait(r, style="location")
        self.assertEqual(done.status, 200)
        self.assertEqual(done.body["properties"]["protectionState"], "Protected")
        vault_put = self.arm("PUT", VAULT_B + VAULT_API, {"location": "westeurope", "sku": {"name": "Standard"}})
        self.assertIsNone(vault_put.header("Azure-AsyncOperation"))
        self.assertEqual(self.wait(vault_put, style="location").body["name"], "vault-b")
        delete = self.arm("DELETE", ITEM + BACKUP_API)
        self.assertEqual(self.wait(delete, style="location").status, 204)

    def test_nsg_rule_put_is_201_with_azure_async_operation(self):
        self.seed((NSG, {"location": "westeurope"}))
        r = self.arm("PUT", NSG + "/securityRules/https" + NETWORK_API, rule_body(100))
        self.assertEqual(r.status, 201)
        self.assertEqual(r.body["properties"]["provisioningState"], "Updating")
        self.assertIn("/providers/Microsoft.Network/locations/westeurope/operations/", r.header("Azure-AsyncOperation"))
        self.assertEqual(self.wait(r).body, {"status": "Succeeded"})
        self.assertEqual(self.arm("GET", NSG + "/securityRules/https" + NETWORK_API).body["properties"]["priority"], 100)
        d = self.arm("DELETE", NSG + "/securityRules/https" + NETWORK_API)
        self.assertEqual(d.status, 202)
        self.wait(d)
        self.assertEqual(self.arm("GET", NSG + "/securityRules/https" + NETWORK_API).status, 404)

    def test_vm_registered_to_another_vault_fails_inside_the_operation(self):
        self.seed_estate()
        self.seed((ITEM, {"properties": {"sourceResourceId": VM, "policyId": VAULT + "/backupPolicies/DefaultPolicy"}}))
        r = self.arm("PUT", ITEM_B + BACKUP_API, item_body(VAULT_B + "/backupPolicies/DefaultPolicy"))
        self.assertEqual(r.status, 202)
        status = self.wait(r).body
        self.assertEqual(status["status"], "Failed")
        self.assertEqual(status["error"]["code"], "UserErrorVmAlreadyRegisteredToAnotherVault")
        self.assertIn("Virtual machine is already registered\\registering with another recovery services vault", status["error"]["message"])
        result = self.arm("GET", r.header("Location"))
        self.assertEqual((result.status, result.code()), (400, "UserErrorVmAlreadyRegisteredToAnotherVault"))
        self.assertEqual(self.arm("GET", ITEM_B + BACKUP_API).status, 404)

    def test_policy_the_vault_does_not_hold(self):
        self.seed_estate()
        r = self.arm("PUT", ITEM + BACKUP_API, item_body(VAULT_B + "/backupPolicies/DefaultPolicy"))
        self.assertEqual((r.status, r.code()), (400, "BMSUserErrorPolicyNotFound"))

    def test_soft_delete_then_rehydrate(self):
        self.seed_estate()
        policy = VAULT + "/backupPolicies/DefaultPolicy"
        self.wait(self.arm("PUT", ITEM + BACKUP_API, item_body(policy)))
        d = self.arm("DELETE", ITEM + BACKUP_API)
        self.assertEqual(d.status, 202)
        self.assertIn("/vaults/vault-a/backupOperations/", d.header("Azure-AsyncOperation"))
        self.assertEqual(self.wait(d).body["status"], "Succeeded")
        got = self.arm("GET", ITEM + BACKUP_API).body["properties"]
        self.assertTrue(got["isScheduledForDeferredDelete"])
        self.assertEqual(got["protectionState"], "ProtectionStopped")
        left = arm_emulator.parse_time(got["deferredDeleteTimeInUTC"]) - arm_emulator.utc_now()
        self.assertAlmostEqual(left.total_seconds() / 86400, 14, places=2)
        listed = self.arm("GET", VAULT + "/backupProtectedItems" + BACKUP_API).body["value"]
        self.assertTrue(listed[0]["properties"]["isScheduledForDeferredDelete"])
        refused = self.arm("PUT", ITEM + BACKUP_API, item_body(policy))
        self.assertEqual((refused.status, refused.code()), (400, "UserErrorInvalidOperationOnSoftDeletedItem"))
        back = self.arm("PUT", ITEM + BACKUP_API, {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "isRehydrate": True}})
        self.assertEqual(back.status, 202)
        self.wait(back)
        got = self.arm("GET", ITEM + BACKUP_API).body["properties"]
        self.assertNotIn("isScheduledForDeferredDelete", got)
        self.assertEqual(got["protectionState"], "ProtectionStopped")
        self.wait(self.arm("PUT", ITEM + BACKUP_API, item_body(policy)))
        self.assertEqual(self.arm("GET", ITEM + BACKUP_API).body["properties"]["protectionState"], "Protected")

    def test_stop_protection_example_keeps_the_item(self):
        self.seed_estate(items_in_a=1)
        item = ITEM.replace("vm-01", "vm-00")
        stop = {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "protectionState": "ProtectionStopped",
                               "sourceResourceId": VM.replace("vm-01", "vm-00")}}
        self.wait(self.arm("PUT", item + BACKUP_API, stop))
        p = self.arm("GET", item + BACKUP_API).body["properties"]
        self.assertEqual((p["protectionState"], p["policyId"]), ("ProtectionStopped", ""))


class RefusalTests(EmulatorTestCase):
    def test_storage_model_modify_error_once_the_vault_holds_an_item(self):
        self.seed_estate(items_in_a=1)
        patch = {"properties": {"redundancySettings": {"standardTierStorageRedundancy": "LocallyRedundant"}}}
        r = self.arm("PATCH", VAULT + VAULT_API, patch)
        self.assertEqual((r.status, r.code()), (400, "StorageModelModifyError"))
        self.assertIn("Storage Redundancy option is locked when the first machine is registered", r.body["error"]["message"])
        r = self.arm("PATCH", VAULT + "/backupstorageconfig/vaultstorageconfig" + BACKUP_API, {"properties": {"storageModelType": "LocallyRedundant"}})
        self.assertEqual(r.code(), "StorageModelModifyError")
        same = self.arm("PATCH", VAULT + "/backupstorageconfig/vaultstorageconfig" + BACKUP_API, {"properties": {"storageModelType": "GeoRedundant"}})
        self.assertEqual(same.status, 204)
        cfg = self.arm("GET", VAULT + "/backupstorageconfig/vaultstorageconfig" + BACKUP_API).body["properties"]
        self.assertEqual(cfg["storageTypeState"], "Locked")
        # an empty vault may change
        r = self.arm("PATCH", VAULT_B + "/backupstorageconfig/vaultstorageconfig" + BACKUP_API, {"properties": {"storageModelType": "LocallyRedundant"}})
        self.assertEqual(r.status, 204)
        self.assertEqual(self.arm("GET", VAULT_B + VAULT_API).body["properties"]["redundancySettings"]["standardTierStorageRedundancy"], "LocallyRedundant")

    def test_soft_deleted_item_also_locks_the_redundancy(self):
        self.seed_estate()
        self.seed((ITEM, {"properties": {"sourceResourceId": VM, "isScheduledForDeferredDelete": True}}))
        r = self.arm("PUT", VAULT + VAULT_API, {"location": "westeurope", "sku": {"name": "Standard"}, "properties": {
            "redundancySettings": {"standardTierStorageRedundancy": "LocallyRedundant", "crossRegionRestore": "Enabled"}}})
        self.assertEqual(r.code(), "StorageModelModifyError")

    def test_cross_region_restore_cannot_be_disabled(self):
        self.seed_estate()
        r = self.arm("PATCH", VAULT + VAULT_API, {"properties": {"redundancySettings": {"crossRegionRestore": "Disabled"}}})
        self.assertEqual((r.status, r.code()), (400, "BMSUserErrorCrossRegionRestoreDisableNotAllowed"))
        r = self.arm("PATCH", VAULT + "/backupstorageconfig/vaultstorageconfig" + BACKUP_API, {"properties": {"crossRegionRestoreFlag": False}})
        self.assertEqual(r.code(), "BMSUserErrorCrossRegionRestoreDisableNotAllowed")

    def test_vault_deletion_refusals_and_success(self):
        self.seed_estate(items_in_a=1)
        r = self.arm("DELETE", VAULT + VAULT_API)
        self.assertEqual((r.status, r.code()), (400, "ServiceResourceNotEmptyWithContainerDetails"))
        self.wait(self.arm("DELETE", ITEM.replace("vm-01", "vm-00") + BACKUP_API))
        r = self.arm("DELETE", VAULT + VAULT_API)
        self.assertEqual((r.status, r.code()), (400, "ServiceResourceNotEmpty"))
        self.assertIn("soft deleted state", r.body["error"]["message"])
        d = self.arm("DELETE", VAULT_B + VAULT_API)
        self.assertEqual(d.status, 202)
        self.assertIsNone(d.body)
        self.wait(d)
        self.assertEqual(self.arm("GET", VAULT_B + VAULT_API).status, 404)
        self.assertEqual(self.arm("GET", VAULT_B + "/backupPolicies" + BACKUP_API).status, 404)

    def test_security_rule_conflict(self):
        self.seed((NSG, {"location": "westeurope", "properties": {"securityRules": [dict(rule_body(100), name="https")]}}))
        r = self.arm("PUT", NSG + "/securityRules/ssh" + NETWORK_API, rule_body(100, port="22"))
        self.assertEqual((r.status, r.code()), (400, "SecurityRuleConflict"))
        self.assertIn("same Priority and Direction", r.body["error"]["message"])
        ok = self.arm("PUT", NSG + "/securityRules/ssh" + NETWORK_API, rule_body(100, direction="Outbound", port="22"))
        self.assertEqual(ok.status, 201)
        # a rule still being created counts too
        pending = self.arm("PUT", NSG + "/securityRules/dns" + NETWORK_API, rule_body(100, direction="Outbound", port="53"))
        self.assertEqual(pending.code(), "SecurityRuleConflict")
        # the same rule updated in place is no conflict with itself
        self.assertEqual(self.arm("PUT", NSG + "/securityRules/https" + NETWORK_API, rule_body(100, port="8443")).status, 200)


class ThrottleAndFaultTests(EmulatorTestCase):
    def test_write_bucket_counts_down_then_429_with_retry_after(self):
        self.seed_estate()
        self.call("POST", "/_emulator/config", {"write_burst": 3, "write_refill": 0.5})
        remaining = []
        for n in range(3):
            r = self.arm("PUT", VAULT + "/backupPolicies/p%d" % n + BACKUP_API, policy_body())
            self.assertEqual(r.status, 202)
            remaining.append(r.header("x-ms-ratelimit-remaining-subscription-writes"))
        self.assertEqual(remaining, ["2", "1", "0"])
        r = self.arm("PUT", VAULT + "/backupPolicies/p3" + BACKUP_API, policy_body())
        self.assertEqual((r.status, r.code()), (429, "SubscriptionRequestsThrottled"))
        self.assertEqual(r.header("Retry-After"), "2")
        self.assertEqual(r.header("x-ms-ratelimit-remaining-subscription-writes"), "0")
        read = self.arm("GET", VAULT + VAULT_API)
        self.assertEqual((read.status, read.header("x-ms-ratelimit-remaining-subscription-reads")), (200, "249"))
        self.assertEqual(self.call("GET", "/_emulator/stats").body["throttled"], 1)
        time.sleep(2.05)
        self.assertEqual(self.arm("PUT", VAULT + "/backupPolicies/p3" + BACKUP_API, policy_body()).status, 202)

    def test_correlation_and_request_ids(self):
        self.seed_estate()
        r = self.arm("GET", VAULT + VAULT_API, headers={"x-ms-correlation-request-id": "corr-1"})
        self.assertEqual(r.header("x-ms-correlation-request-id"), "corr-1")
        self.assertRegex(r.header("x-ms-request-id"), r"^[0-9a-f-]{36}$")
        other = self.arm("GET", VAULT + VAULT_API)
        self.assertRegex(other.header("x-ms-correlation-request-id"), r"^[0-9a-f-]{36}$")
        self.assertNotEqual(other.header("x-ms-request-id"), r.header("x-ms-request-id"))

    def test_injected_503_then_success(self):
        self.seed_estate()
        self.call("POST", "/_emulator/faults", {"method": "PUT", "path": "backupPolicies/", "status": 503, "count": 1})
        r = self.arm("PUT", VAULT + "/backupPolicies/p" + BACKUP_API, policy_body())
        self.assertEqual((r.status, r.code()), (503, "ServiceUnavailable"))
        self.assertEqual(self.arm("GET", VAULT + VAULT_API).status, 200, "the fault is limited to its method and path")
        self.assertEqual(self.arm("PUT", VAULT + "/backupPolicies/p" + BACKUP_API, policy_body()).status, 202)

    def raw_request(self, method, path, body):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        data = json.dumps(body).encode()
        s.sendall(("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
                   "Content-Length: %d\r\n\r\n" % (method, path, self.port, self.token, len(data))).encode() + data)
        got = s.recv(65536)
        s.close()
        return got

    def test_dropped_connection_before_the_work(self):
        self.seed_estate()
        self.call("POST", "/_emulator/faults", {"method": "PUT", "path": "/backupPolicies/p$", "drop": True, "count": 1})
        self.assertEqual(self.raw_request("PUT", VAULT + "/backupPolicies/p" + BACKUP_API, policy_body()), b"")
        time.sleep(OPERATION_SECONDS + 0.05)
        self.assertEqual(self.arm("GET", VAULT + "/backupPolicies/p" + BACKUP_API).status, 404)
        log = self.call("GET", "/_emulator/requests?kind=arm").body
        self.assertEqual([(e["method"], e["status"]) for e in log][-2:], [("PUT", 0), ("GET", 404)])

    def test_dropped_connection_after_the_work(self):
        self.seed_estate()
        self.call("POST", "/_emulator/faults", {"method": "PUT", "path": "/backupPolicies/p$", "drop": True, "after": "response"})
        self.assertEqual(self.raw_request("PUT", VAULT + "/backupPolicies/p" + BACKUP_API, policy_body()), b"")
        time.sleep(OPERATION_SECONDS + 0.05)
        self.assertEqual(self.arm("GET", VAULT + "/backupPolicies/p" + BACKUP_API).status, 200)

    def test_injected_500_after_the_work(self):
        self.seed((NSG, {"location": "westeurope"}))
        self.call("POST", "/_emulator/faults", {"path": "securityRules", "status": 500, "after": "response"})
        self.assertEqual(self.arm("PUT", NSG + "/securityRules/r" + NETWORK_API, rule_body(100)).status, 500)
        time.sleep(OPERATION_SECONDS + 0.05)
        self.assertEqual(self.arm("GET", NSG + "/securityRules/r" + NETWORK_API).status, 200)

    def test_many_concurrent_keep_alive_connections(self):
        self.seed_estate()
        self.call("POST", "/_emulator/config", {"throttle": False})
        request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n" % (VAULT + VAULT_API, self.token)).encode()
        socks = [socket.create_connection(("127.0.0.1", self.port), timeout=30) for _ in range(1000)]
        try:
            for round_ in range(2):  # the second round proves the connections stayed open
                for s in socks:
                    s.sendall(request)
                for s in socks:
                    self.assertTrue(self.read_response(s).startswith(b"HTTP/1.1 200 "))
            stats = self.call("GET", "/_emulator/stats").body
            self.assertGreaterEqual(stats["maxConcurrent"], 1000)
        finally:
            for s in socks:
                s.close()

    def read_response(self, s):
        data = b""
        while b"\r\n\r\n" not in data:
            data += s.recv(65536)
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
        while len(rest) < length:
            rest += s.recv(65536)
        return head


class ControlTests(EmulatorTestCase):
    def test_requests_log_resources_mutate_and_reset(self):
        self.seed_estate(items_in_a=1)
        self.arm("GET", VAULT + VAULT_API)
        log = self.call("GET", "/_emulator/requests").body
        kinds = {e["kind"] for e in log}
        self.assertEqual(kinds, {"arm", "token", "control"})
        arm = [e for e in log if e["kind"] == "arm"][-1]
        self.assertEqual((arm["method"], arm["path"], arm["query"], arm["status"]), ("GET", VAULT, "api-version=2026-08-01", 200))
        resources = self.call("GET", "/_emulator/resources").body
        self.assertIn(VAULT.lower(), resources)
        self.assertIn((VAULT + "/backupPolicies/DefaultPolicy").lower(), resources)
        self.call("POST", "/_emulator/mutate", {"id": VAULT + "/backupPolicies/DefaultPolicy",
                                                "merge": {"properties": {"retentionPolicy": {"dailySchedule": {"retentionDuration": {"count": 7}}}}}})
        p = self.arm("GET", VAULT + "/backupPolicies/DefaultPolicy" + BACKUP_API).body["properties"]
        self.assertEqual(p["retentionPolicy"]["dailySchedule"]["retentionDuration"], {"count": 7, "durationType": "Days"})
        self.call("POST", "/_emulator/mutate", {"id": VAULT + "/backupPolicies/DefaultPolicy", "delete": True})
        self.assertEqual(self.arm("GET", VAULT + "/backupPolicies/DefaultPolicy" + BACKUP_API).status, 404)
        stats = self.call("GET", "/_emulator/stats").body
        self.assertGreater(stats["requests"], 5)
        self.assertIn("200", stats["byStatus"])
        self.call("POST", "/_emulator/reset")
        self.assertEqual(self.call("GET", "/_emulator/resources").body, {})

    def test_sigterm_exits_cleanly(self):
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "arm_emulator.py"), "--port", "0"], stdout=subprocess.PIPE, text=True)
        self.assertTrue(p.stdout.readline().startswith("listening on http://127.0.0.1:"))
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(10), 0)
        p.stdout.close()


if __name__ == "__main__":
    unittest.main()
