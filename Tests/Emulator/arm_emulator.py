#!/usr/bin/env python3
"""ARM emulator for tresor's tests: the Entra ID token endpoints, Azure Resource Manager for
Recovery Services vaults, backup policies, protected VMs, NSG rules and Compute reads, with
long-running operations, token-bucket throttling, fault injection and Azure's refusals.

Every request body is checked against the official swagger 2.0 schema of its operation (the
copies in specs/), strictly: a property the schema does not define, or a readOnly one, is a
contract violation (400 EmulatorContractViolation, recorded for GET /_emulator/violations).

Python 3 standard library only. Run: python3 arm_emulator.py --port 0 [options]; the first line
on stdout is "listening on http://127.0.0.1:PORT". See README.md beside this file.
"""

import argparse
import base64
import copy
import gc
import datetime
import hashlib
import heapq
import json
import math
import os
import re
import signal
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
SPECS = os.path.join(HERE, "specs", "specification")
RS_SPEC = "recoveryservices/resource-manager/Microsoft.RecoveryServices/RecoveryServices/stable/2026-08-01/openapi.json"
BK_SPEC = "recoveryservicesbackup/resource-manager/Microsoft.RecoveryServices/RecoveryServicesBackup/stable/2025-08-01/bms.json"
NW_SPEC = "network/resource-manager/Microsoft.Network/Network/stable/2025-05-01/networkSecurityGroup.json"
NW_COMMON = "network/resource-manager/Microsoft.Network/Network/stable/2025-05-01/network.json"

VAULT_API = "2026-08-01"
BACKUP_API = "2025-08-01"
NETWORK_API = "2025-05-01"
COMPUTE_API = "2024-07-01"

SOFT_DELETE_DAYS = 14

# ---------------------------------------------------------------------------------------------
# Swagger 2.0 validation
# ---------------------------------------------------------------------------------------------

DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", re.I)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


class SpecSet:
    """The swagger files, their operations (method + path template) and a strict validator."""

    def __init__(self, root, operation_files):
        self.docs = {}
        self.effective_cache = {}
        self.discriminator_cache = {}
        self.routes = []
        for rel in operation_files:
            self._load_operations(os.path.normpath(os.path.join(root, rel)))
        # Most literal characters first, so that .../backupPolicies/{p}/operations/{id} wins over
        # a template whose parameter would swallow a literal segment.
        self.routes.sort(key=lambda r: -r[2])

    def doc(self, path):
        d = self.docs.get(path)
        if d is None:
            with open(path, encoding="utf-8") as f:
                d = json.load(f)
            self.docs[path] = d
        return d

    def _load_operations(self, path):
        spec = self.doc(path)
        for template, item in spec.get("paths", {}).items():
            shared = item.get("parameters", [])
            pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            for method, op in item.items():
                if method == "parameters":
                    continue
                body = None
                for p in shared + op.get("parameters", []):
                    pf, _, ps = self.resolve(path, p["$ref"]) if "$ref" in p else (path, None, p)
                    if ps and ps.get("in") == "body":
                        body = (pf, ps.get("schema", {}), ps.get("required", False))
                self.routes.append((method.upper(), re.compile(pattern, re.I), literal, path, op, body))

    def operation(self, method, path):
        """(file, operation, body) of the spec operation matching method + path, or None."""
        for m, rx, _, f, op, body in self.routes:
            if m == method and rx.match(path):
                return f, op, body
        return None

    def response_schema(self, method, path, status):
        found = self.operation(method, path)
        if not found:
            return None
        f, op, _ = found
        r = op.get("responses", {}).get(str(status))
        if not r or "schema" not in r:
            return None
        return f, r["schema"]

    def resolve(self, file, ref):
        """(file, definition name or None, schema) for a $ref relative to file; schema None if absent."""
        target, _, pointer = ref.partition("#")
        f = os.path.normpath(os.path.join(os.path.dirname(file), target)) if target else file
        try:
            node = self.doc(f)
        except OSError:
            return f, None, None
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/") if p]
        for p in parts:
            if not isinstance(node, dict) or p not in node:
                return f, None, None
            node = node[p]
        name = parts[1] if len(parts) == 2 and parts[0] == "definitions" else None
        return f, name, node

    def effective(self, file, schema, name):
        """Properties, required names, additionalProperties and discriminator, allOf merged."""
        key = (file, name) if name else None
        if key and key in self.effective_cache:
            return self.effective_cache[key]
        eff = {"props": {}, "required": set(), "addl": None, "disc": None, "type": schema.get("type"),
               "object": bool(schema.get("properties") or schema.get("allOf") or "additionalProperties" in schema)}
        for parent in schema.get("allOf", []):
            if "$ref" in parent:
                pf, pn, ps = self.resolve(file, parent["$ref"])
                if ps is None:
                    continue
            else:
                pf, pn, ps = file, None, parent
            pe = self.effective(pf, ps, pn)
            eff["props"].update(pe["props"])
            eff["required"] |= pe["required"]
            if pe["addl"] is not None:
                eff["addl"] = pe["addl"]
            eff["disc"] = eff["disc"] or pe["disc"]
            eff["type"] = eff["type"] or pe["type"]
            eff["object"] = eff["object"] or pe["object"]
        for k, v in schema.get("properties", {}).items():
            eff["props"][k] = (file, v)
        eff["required"] |= set(schema.get("required", []))
        if "additionalProperties" in schema:
            a = schema["additionalProperties"]
            eff["addl"] = (file, a) if isinstance(a, dict) else bool(a)
        if "discriminator" in schema and name:
            eff["disc"] = (schema["discriminator"], file, name)
        if key:
            self.effective_cache[key] = eff
        return eff

    def _ancestors(self, file, name, seen=None):
        seen = seen if seen is not None else set()
        schema = self.doc(file).get("definitions", {}).get(name, {})
        for parent in schema.get("allOf", []):
            if "$ref" in parent:
                pf, pn, ps = self.resolve(file, parent["$ref"])
                if pn and (pf, pn) not in seen:
                    seen.add((pf, pn))
                    self._ancestors(pf, pn, seen)
        return seen

    def discriminator_map(self, file, root):
        """{discriminator value: definition name} for every definition deriving from root."""
        key = (file, root)
        if key not in self.discriminator_cache:
            values = {}
            for name, schema in self.doc(file).get("definitions", {}).items():
                if name == root or (file, root) in self._ancestors(file, name):
                    values[schema.get("x-ms-discriminator-value", name)] = name
            self.discriminator_cache[key] = values
        return self.discriminator_cache[key]

    def _is_read_only(self, file, schema):
        if schema.get("readOnly"):
            return True
        if "$ref" in schema:
            _, _, target = self.resolve(file, schema["$ref"])
            return bool(target and target.get("readOnly"))
        return False

    def check(self, value, file, schema, request, path="$", errors=None, name=None):
        """Violations [(json path, message)] of value against schema; request=True forbids readOnly."""
        errors = [] if errors is None else errors
        if "$ref" in schema:
            f, n, target = self.resolve(file, schema["$ref"])
            if target is None:  # a file the subset does not hold: nothing to check against
                return errors
            return self.check(value, f, target, request, path, errors, n)
        if value is None:
            if request and not schema.get("x-nullable"):
                errors.append((path, "null is not allowed"))
            return errors
        eff = self.effective(file, schema, name)
        if eff["disc"] and isinstance(value, dict):
            prop, root_file, root = eff["disc"]
            tag = value.get(prop)
            if isinstance(tag, str):
                values = self.discriminator_map(root_file, root)
                sub = values.get(tag)
                if sub is None:
                    errors.append((path + "." + prop, "unknown discriminator value %r for %s (known: %s)"
                                   % (tag, root, ", ".join(sorted(values)))))
                    return errors
                if sub != name:
                    if name and (file, name) not in self._ancestors(root_file, sub):
                        errors.append((path + "." + prop, "%r is not a kind of %s" % (tag, name)))
                        return errors
                    sub_schema = self.doc(root_file)["definitions"][sub]
                    eff = self.effective(root_file, sub_schema, sub)
        kind = eff["type"] or ("object" if eff["object"] else None)
        if kind == "object" or eff["object"]:
            if not isinstance(value, dict):
                errors.append((path, "expected an object, got %s" % type(value).__name__))
                return errors
            props = eff["props"]
            for k, v in value.items():
                sub_path = path + "." + k if re.match(r"^[A-Za-z_$][\w$]*$", k) else "%s[%s]" % (path, json.dumps(k))
                if k in props:
                    pf, ps = props[k]
                    if request and self._is_read_only(pf, ps):
                        errors.append((sub_path, "readOnly property must not be sent"))
                        continue
                    self.check(v, pf, ps, request, sub_path, errors)
                elif isinstance(eff["addl"], tuple):
                    self.check(v, eff["addl"][0], eff["addl"][1], request, sub_path, errors)
                elif eff["addl"] is True or (eff["addl"] is None and not props):
                    continue
                else:
                    errors.append((sub_path, "property not defined by the schema"))
            for r in sorted(eff["required"]):
                if r not in value:
                    if request and r in props and self._is_read_only(*props[r]):
                        continue
                    errors.append((path + "." + r, "required property missing"))
            return errors
        if kind == "array":
            if not isinstance(value, list):
                errors.append((path, "expected an array, got %s" % type(value).__name__))
                return errors
            items = schema.get("items", {})
            for i, v in enumerate(value):
                self.check(v, file, items, request, "%s[%d]" % (path, i), errors)
            return errors
        if kind == "string":
            if not isinstance(value, str):
                errors.append((path, "expected a string, got %s" % type(value).__name__))
                return errors
            fmt = schema.get("format")
            if fmt == "date-time" and not DATE_TIME.match(value):
                errors.append((path, "not a date-time: %r" % value))
            elif fmt == "uuid" and not UUID_RE.match(value):
                errors.append((path, "not a uuid: %r" % value))
        elif kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                errors.append((path, "expected an integer, got %s" % type(value).__name__))
                return errors
            if schema.get("format") == "int32" and not -2**31 <= value < 2**31:
                errors.append((path, "out of int32 range"))
        elif kind == "number":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                errors.append((path, "expected a number, got %s" % type(value).__name__))
                return errors
        elif kind == "boolean":
            if not isinstance(value, bool):
                errors.append((path, "expected a boolean, got %s" % type(value).__name__))
                return errors
        if "enum" in schema:
            allowed = schema["enum"]
            if schema.get("x-ms-enum", {}).get("modelAsString") and isinstance(value, str):
                ok = value.lower() in (str(a).lower() for a in allowed)
            else:
                ok = value in allowed
            if not ok:
                errors.append((path, "%r is not one of %s" % (value, allowed)))
        return errors


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def arm_error(code, message, target=None):
    e = {"code": code, "message": message}
    if target:
        e["target"] = target
    return {"error": e}


def deep_merge(base, patch):
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict) and k != "tags":
            deep_merge(base[k], v)
        else:
            base[k] = copy.deepcopy(v)
    return base


def parse_time(text):
    """A UTC datetime from ISO 8601 text as Azure writes it (any number of fraction digits), or None."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|[+-]00:?00)?$", text or "")
    if not m:
        return None
    parts = [int(x) for x in m.groups()[:6]]
    micro = int((m.group(7) or "0")[:6].ljust(6, "0"))
    return datetime.datetime(*parts, micro, tzinfo=datetime.timezone.utc)


def normalize_location(loc):
    return re.sub(r"\s+", "", loc or "").lower()


def jwt_shaped(s):
    parts = (s or "").split(".")
    return len(parts) == 3 and all(re.match(r"^[A-Za-z0-9_\-=]+$", p) for p in parts[:2])


def fake_jwt(claims):
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()
    return "%s.%s.%s" % (enc({"alg": "RS256", "typ": "JWT"}), enc(claims), uuid.uuid4().hex)


class Bucket:
    def __init__(self, burst, refill):
        self.burst, self.refill = float(burst), float(refill)
        self.tokens, self.at = float(burst), time.monotonic()

    def peek(self):
        return int(min(self.burst, self.tokens + (time.monotonic() - self.at) * self.refill))

    def take(self):
        """(allowed, remaining, retry_after_seconds)."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.refill)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True, int(self.tokens), 0
        wait = (1 - self.tokens) / self.refill if self.refill > 0 else 3600
        return False, 0, max(1, math.ceil(wait))


# ---------------------------------------------------------------------------------------------
# Resource identity
# ---------------------------------------------------------------------------------------------

RG_RX = r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)"
VAULT_RX = RG_RX + r"/providers/microsoft\.recoveryservices/vaults/(?P<vault>[^/]+)"
NSG_RX = RG_RX + r"/providers/microsoft\.network/networksecuritygroups/(?P<nsg>[^/]+)"
ID_PATTERNS = [
    ("item", re.compile(VAULT_RX + r"/backupfabrics/(?P<fabric>[^/]+)/protectioncontainers/(?P<container>[^/]+)/protecteditems/(?P<item>[^/]+)$", re.I)),
    ("policy", re.compile(VAULT_RX + r"/backuppolicies/(?P<policy>[^/]+)$", re.I)),
    ("vault", re.compile(VAULT_RX + r"$", re.I)),
    ("rule", re.compile(NSG_RX + r"/securityrules/(?P<rule>[^/]+)$", re.I)),
    ("nsg", re.compile(NSG_RX + r"$", re.I)),
    ("vm", re.compile(RG_RX + r"/providers/microsoft\.compute/virtualmachines/(?P<vm>[^/]+)$", re.I)),
    ("nic", re.compile(RG_RX + r"/providers/microsoft\.network/networkinterfaces/(?P<nic>[^/]+)$", re.I)),
]
TYPES = {
    "vault": "Microsoft.RecoveryServices/vaults",
    "policy": "Microsoft.RecoveryServices/vaults/backupPolicies",
    "item": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
    "nsg": "Microsoft.Network/networkSecurityGroups",
    "rule": "Microsoft.Network/networkSecurityGroups/securityRules",
    "vm": "Microsoft.Compute/virtualMachines",
    "nic": "Microsoft.Network/networkInterfaces",
}


def parse_id(rid):
    """(kind, match groups) of a resource id, or (None, None)."""
    for kind, rx in ID_PATTERNS:
        m = rx.match(rid)
        if m:
            return kind, m.groupdict()
    return None, None


def rg_path(g):
    return "/subscriptions/%s/resourceGroups/%s" % (g["sub"], g["rg"])


def vault_id(g):
    return rg_path(g) + "/providers/Microsoft.RecoveryServices/vaults/" + g["vault"]


def nsg_id(g):
    return rg_path(g) + "/providers/Microsoft.Network/networkSecurityGroups/" + g["nsg"]


def item_display_id(g):
    # Azure answers with /Subscriptions/ and lower-case container and item names.
    return ("/Subscriptions/%s/resourceGroups/%s/providers/Microsoft.RecoveryServices/vaults/%s"
            "/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s"
            % (g["sub"], g["rg"], g["vault"], g["container"].lower(), g["item"].lower()))


def policy_display_id(g):
    return "/Subscriptions/%s/resourceGroups/%s/providers/Microsoft.RecoveryServices/vaults/%s/backupPolicies/%s" % (
        g["sub"], g["rg"], g["vault"], g["policy"])


def parent_key(kind, g):
    if kind in ("vault", "nsg", "vm", "nic"):
        return rg_path(g).lower()
    if kind in ("policy", "item"):
        return vault_id(g).lower()
    if kind == "rule":
        return nsg_id(g).lower()
    return None


def system_policies(g):
    """DefaultPolicy and EnhancedPolicy, which every new vault holds (shape of BackupPolicies_List.json)."""
    daily = {
        "backupManagementType": "AzureIaasVM",
        "schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": "Daily",
                           "scheduleRunTimes": ["2017-12-05T19:00:00Z"], "scheduleWeeklyFrequency": 0},
        "retentionPolicy": {"retentionPolicyType": "LongTermRetentionPolicy", "dailySchedule": {
            "retentionTimes": ["2017-12-05T19:00:00Z"], "retentionDuration": {"count": 30, "durationType": "Days"}}},
        "instantRpRetentionRangeInDays": 2, "timeZone": "UTC", "policyType": "V1",
    }
    enhanced = {
        "backupManagementType": "AzureIaasVM",
        "schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicyV2", "scheduleRunFrequency": "Hourly",
                           "hourlySchedule": {"interval": 4, "scheduleWindowStartTime": "2017-12-05T08:00:00Z",
                                              "scheduleWindowDuration": 12}},
        "retentionPolicy": {"retentionPolicyType": "LongTermRetentionPolicy", "dailySchedule": {
            "retentionTimes": ["2017-12-05T08:00:00Z"], "retentionDuration": {"count": 30, "durationType": "Days"}}},
        "instantRpRetentionRangeInDays": 7, "timeZone": "UTC", "policyType": "V2",
    }
    return [("DefaultPolicy", daily), ("EnhancedPolicy", enhanced)]


def default_security_rules(nid):
    rows = [("AllowVnetInBound", "Allow inbound traffic from all VMs in VNET", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Inbound"),
            ("AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer", "AzureLoadBalancer", "*", "Allow", 65001, "Inbound"),
            ("DenyAllInBound", "Deny all inbound traffic", "*", "*", "Deny", 65500, "Inbound"),
            ("AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET", "VirtualNetwork", "VirtualNetwork", "Allow", 65000, "Outbound"),
            ("AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet", "*", "Internet", "Allow", 65001, "Outbound"),
            ("DenyAllOutBound", "Deny all outbound traffic", "*", "*", "Deny", 65500, "Outbound")]
    return [{"name": n, "id": nid + "/defaultSecurityRules/" + n, "properties": {
        "provisioningState": "Succeeded", "description": d, "protocol": "*", "sourcePortRange": "*",
        "destinationPortRange": "*", "sourceAddressPrefix": s, "destinationAddressPrefix": t,
        "access": a, "priority": p, "direction": dr}} for n, d, s, t, a, p, dr in rows]


# ---------------------------------------------------------------------------------------------
# The emulated estate
# ---------------------------------------------------------------------------------------------

class Refusal(Exception):
    def __init__(self, status, code, message, target=None):
        super().__init__(message)
        self.status, self.code, self.message, self.target = status, code, message, target


DEFAULTS = {
    "write_burst": 200, "write_refill": 10.0, "read_burst": 250, "read_refill": 25.0, "throttle": True,
    "operation_seconds": 2.0, "retry_after": 1, "lro_style": "both", "token_seconds": 3600,
    "client_secret": "emulator-secret", "page_size": 200, "tenant": None,
    "github_request_token": "github-request-token", "identity_header": "identity-header",
    "check_responses": False,
}


class Emulator:
    def __init__(self, config):
        self.lock = threading.RLock()
        self.config = dict(DEFAULTS)
        self.config.update(config)
        self.specs = SpecSet(SPECS, [RS_SPEC, BK_SPEC, NW_SPEC])
        self.tokens = {}
        self.open_connections = 0    # live counters, kept across resets
        self.in_flight_requests = 0
        self.reset()

    def reset(self):
        with self.lock:
            self.resources = {}      # lower id -> {"kind", "id", "body"}
            self.children = {}       # lower parent id -> {kind: {lower id: None}} (insertion ordered)
            self.registrations = {}  # lower VM id -> lower item id (soft-deleted items stay registered)
            self.operations = {}     # operation id -> operation
            self.due = []            # heap (due time, seq, operation id)
            self.seq = 0
            self.buckets = {}
            self.requests = []
            self.violations = []
            self.faults = []
            self.by_status = {}
            self.throttled = 0
            self.max_open_connections = self.open_connections
            self.max_in_flight_requests = 0
            self.max_operations_in_flight = 0
            self.operations_in_flight = 0
            self.pending_rules = {}  # lower NSG id -> {lower rule name: body of a rule PUT still running}
            self.etag_counter = 0

    def configure(self, changes):
        with self.lock:
            for k, v in changes.items():
                key = k.replace("-", "_")
                if key == "no_throttle":
                    key, v = "throttle", not v
                if key not in DEFAULTS:
                    raise Refusal(400, "UnknownOption", "unknown option %r" % k)
                default = DEFAULTS[key]
                if isinstance(default, bool) and isinstance(v, str):
                    v = v.lower() in ("1", "true", "yes")
                elif isinstance(default, (int, float)) and not isinstance(default, bool) and v is not None:
                    v = type(default)(v)
                self.config[key] = v
            self.buckets = {}

    # -- store ---------------------------------------------------------------------------------

    def get(self, rid):
        return self.resources.get(rid.lower())

    def put_resource(self, kind, g, display_id, body):
        key = display_id.lower()
        body["id"] = display_id
        body.setdefault("type", TYPES[kind])
        self.etag_counter += 1
        if kind in ("vault",):
            body["etag"] = 'W/"datetime\'%d\'"' % self.etag_counter
        elif kind in ("rule", "nsg"):
            body["etag"] = 'W/"%08d-0000-0000-0000-000000000000"' % self.etag_counter
        record = self.resources[key] = {"kind": kind, "id": display_id, "body": body, "g": g}
        if kind == "item":
            self.encoded_view(record)  # paid once here rather than by every list page
        self.children.setdefault(parent_key(kind, g), {}).setdefault(kind, {})[key] = None
        if kind == "item":
            src = body.get("properties", {}).get("sourceResourceId")
            if src:
                self.registrations[src.lower()] = key
        return body

    def add_system_policies(self, g):
        for name, props in system_policies(g):
            pg = dict(g, policy=name)
            if not self.get(policy_display_id(pg)):
                self.put_resource("policy", pg, policy_display_id(pg), {"name": name, "properties": props})

    def remove_resource(self, rid):
        key = rid.lower()
        r = self.resources.pop(key, None)
        if not r:
            return
        self.children.get(parent_key(r["kind"], r["g"]), {}).get(r["kind"], {}).pop(key, None)
        for kids in list(self.children.pop(key, {}).values()):
            for child in list(kids):
                self.remove_resource(child)
        if r["kind"] == "item":
            src = r["body"].get("properties", {}).get("sourceResourceId", "").lower()
            if self.registrations.get(src) == key:
                del self.registrations[src]

    def kids(self, parent, kind):
        return [self.resources[k] for k in self.children.get(parent.lower(), {}).get(kind, {})]

    def all_of(self, kind, prefix):
        prefix = prefix.lower()
        return [r for k, r in self.resources.items() if r["kind"] == kind and k.startswith(prefix)]

    # -- views (ARM GET shapes) ------------------------------------------------------------------

    def view(self, r):
        """The GET shape of a stored resource: a copy of the parts it changes; serialize it under the lock."""
        body = dict(r["body"])
        if isinstance(body.get("properties"), dict):
            body["properties"] = dict(body["properties"])
        if r["kind"] == "policy":
            pid = r["id"].lower()
            count = 0
            for item in self.kids(vault_id(r["g"]), "item"):
                if item["body"]["properties"].get("policyId", "").lower() == pid:
                    count += 1
            body.setdefault("properties", {})["protectedItemsCount"] = count
        elif r["kind"] == "nsg":
            props = body.setdefault("properties", {})
            props["securityRules"] = [self.view(rule) for rule in self.kids(r["id"], "rule")]
        elif r["kind"] == "item" and body["properties"].get("isScheduledForDeferredDelete"):
            when = parse_time(body["properties"].get("deferredDeleteTimeInUTC"))
            if when:
                secs = max(0, int((when - utc_now()).total_seconds()))
                body["properties"]["deferredDeleteTimeRemaining"] = "%d.%02d:%02d:%02d" % (
                    secs // 86400, secs % 86400 // 3600, secs % 3600 // 60, secs % 60)
        return body

    def encoded_view(self, r):
        """view(r) as JSON bytes, cached for items until they change (soft-deleted ones carry a countdown)."""
        if r["kind"] != "item" or r["body"]["properties"].get("isScheduledForDeferredDelete"):
            return json.dumps(self.view(r)).encode()
        if "json" not in r:
            r["json"] = json.dumps(self.view(r)).encode()
        return r["json"]

    def vault_items(self, vid):
        return self.kids(vid, "item")

    def storage_config(self, vault):
        red = vault["body"]["properties"].get("redundancySettings", {})
        kind = red.get("standardTierStorageRedundancy", "GeoRedundant")
        return {"id": vault["id"] + "/backupstorageconfig/vaultstorageconfig", "name": "vaultstorageconfig",
                "type": "Microsoft.RecoveryServices/vaults/backupstorageconfig",
                "properties": {"storageModelType": kind, "storageType": kind,
                               "storageTypeState": "Locked" if self.vault_items(vault["id"]) else "Unlocked",
                               "crossRegionRestoreFlag": red.get("crossRegionRestore", "Disabled") == "Enabled"}}

    # -- builders (request body + path -> stored GET shape) -----------------------------------------

    def build_vault(self, g, req, existing):
        body = copy.deepcopy(existing["body"]) if existing else {}
        if existing:
            keep_red = body["properties"].get("redundancySettings", {})
            body = {"id": body["id"], "name": body["name"], "type": body["type"]}
        else:
            keep_red = {"standardTierStorageRedundancy": "GeoRedundant", "crossRegionRestore": "Disabled"}
        body["name"] = g["vault"]
        body["location"] = normalize_location(req.get("location"))
        for k in ("tags", "sku", "identity"):
            if k in req:
                body[k] = copy.deepcopy(req[k])
        body.setdefault("sku", {"name": "Standard"})
        props = copy.deepcopy(req.get("properties") or {})
        red = dict(keep_red)
        red.update(props.get("redundancySettings") or {})
        props["redundancySettings"] = red
        props["provisioningState"] = "Succeeded"
        props.setdefault("publicNetworkAccess", "Enabled")
        props.setdefault("privateEndpointStateForBackup", "None")
        props.setdefault("privateEndpointStateForSiteRecovery", "None")
        sec = props.setdefault("securitySettings", {})
        sec.setdefault("immutabilitySettings", {"state": "Disabled"})
        sec.setdefault("softDeleteSettings", {"softDeleteState": "Enabled", "softDeleteRetentionPeriodInDays": SOFT_DELETE_DAYS,
                                              "enhancedSecurityState": "Enabled"})
        sec["multiUserAuthorization"] = "Disabled"
        body["properties"] = props
        return body

    def check_redundancy_change(self, vault, new_red):
        old = vault["body"]["properties"].get("redundancySettings", {})
        want = new_red.get("standardTierStorageRedundancy")
        if want and want.lower() != old.get("standardTierStorageRedundancy", "").lower() and self.vault_items(vault["id"]):
            raise Refusal(400, "StorageModelModifyError", "Storage Redundancy option is locked when the first machine "
                          "is registered with the vault, and cannot be modified thereafter.")
        crr = new_red.get("crossRegionRestore")
        if crr and crr.lower() == "disabled" and old.get("crossRegionRestore", "").lower() == "enabled":
            raise Refusal(400, "BMSUserErrorCrossRegionRestoreDisableNotAllowed",
                          "Cross Region Restore cannot be disabled once it is enabled for a vault.")

    def build_item(self, g, req, existing):
        props_in = req.get("properties") or {}
        body = copy.deepcopy(existing["body"]) if existing else None
        vm_name = g["item"].split(";")[-1]
        if body is None:
            src = props_in.get("sourceResourceId", "")
            body = {"name": g["item"].lower(), "properties": {
                "friendlyName": src.rstrip("/").split("/")[-1] or vm_name,
                "virtualMachineId": src, "sourceResourceId": src,
                "protectedItemType": props_in.get("protectedItemType", "Microsoft.Compute/virtualMachines"),
                "backupManagementType": "AzureIaasVM", "workloadType": "VM",
                "containerName": g["container"].lower().split(";", 1)[-1],
                "protectionStatus": "Healthy", "healthStatus": "Passed", "lastBackupStatus": "",
                "protectedItemDataId": str(int(hashlib.sha256(item_display_id(g).lower().encode()).hexdigest()[:15], 16)),
                "policyId": "", "protectionState": "IRPending"}}
        p = body["properties"]
        if props_in.get("isRehydrate"):
            for k in ("isScheduledForDeferredDelete", "deferredDeleteTimeInUTC", "deferredDeleteTimeRemaining",
                      "isDeferredDeleteScheduleUpcoming"):
                p.pop(k, None)
            p["protectionState"] = "ProtectionStopped"
            return body
        if props_in.get("policyId"):
            pid = props_in["policyId"]
            p["policyId"] = re.sub(r"^/subscriptions/", "/Subscriptions/", pid, flags=re.I)
            p["policyName"] = pid.rstrip("/").split("/")[-1]
            p["protectionState"] = "Protected"
            p["policyType"] = "V1"
            policy = self.get(pid)
            if policy:
                p["policyName"] = policy["body"]["name"]
                p["policyType"] = policy["body"]["properties"].get("policyType", "V1")
        state = props_in.get("protectionState")
        if state:
            p["protectionState"] = state
            if state.lower() in ("protectionstopped", "backupssuspended") and not props_in.get("policyId"):
                p["policyId"] = ""
                p.pop("policyName", None)
        if p.get("protectionState") == "IRPending":
            p["protectionState"] = "Protected"
        if "extendedProperties" in props_in:
            p["extendedProperties"] = copy.deepcopy(props_in["extendedProperties"])
        if "tags" in req:
            body["tags"] = copy.deepcopy(req["tags"])
        return body

    def check_item_names(self, g, req):
        if g["fabric"].lower() != "azure":
            raise Refusal(404, "ResourceNotFound", "Fabric %s not found." % g["fabric"])
        c = g["container"].lower().split(";")
        i = g["item"].lower().split(";")
        src = ((req.get("properties") or {}).get("sourceResourceId") or "").lower()
        ok = (len(c) == 4 and c[0] == "iaasvmcontainer" and len(i) == 4 and i[0] == "vm" and c[1:] == i[1:])
        if ok and src:
            m = re.match(RG_RX + r"/providers/microsoft\.compute/virtualmachines/(?P<vm>[^/]+)$", src)
            ok = bool(m) and m.group("rg") == c[2] and m.group("vm") == c[3]
        if not ok:
            raise Refusal(400, "BMSUserErrorInvalidConfigureProtectionRequest",
                          "Please ensure that container and item names match the virtual machine: "
                          "IaasVMContainer;iaasvmcontainerv2;{resourceGroup};{vm} and VM;iaasvmcontainerv2;{resourceGroup};{vm}.")

    def build_rule(self, g, req):
        body = {"name": g["rule"], "type": TYPES["rule"], "properties": copy.deepcopy(req.get("properties") or {})}
        body["properties"]["provisioningState"] = "Succeeded"
        return body

    # -- long-running operations -------------------------------------------------------------------

    def start_operation(self, kind, sub, effect, result_id=None, check=None, pending_rule=None):
        """Registers an operation that ends after --operation-seconds; effect() runs when it succeeds.
        pending_rule (lower NSG id, rule body) keeps a rule being created visible to the conflict check."""
        op_id = str(uuid.uuid4())
        now = time.time()
        self.seq += 1
        op = {"id": op_id, "kind": kind, "sub": sub, "status": "InProgress", "start": now,
              "due": now + float(self.config["operation_seconds"]), "effect": effect, "check": check,
              "result_id": result_id, "error": None, "end": None, "location": None, "pending_rule": pending_rule}
        self.operations[op_id] = op
        heapq.heappush(self.due, (op["due"], self.seq, op_id))
        self.operations_in_flight += 1
        self.max_operations_in_flight = max(self.max_operations_in_flight, self.operations_in_flight)
        if pending_rule:
            self.pending_rules.setdefault(pending_rule[0], {})[pending_rule[1]["name"].lower()] = pending_rule[1]
        return op

    def settle(self):
        now = time.time()
        while self.due and self.due[0][0] <= now:
            _, _, op_id = heapq.heappop(self.due)
            op = self.operations.get(op_id)
            if not op or op["status"] != "InProgress":
                continue
            try:
                if op["check"]:
                    op["check"]()
                op["effect"]()
                op["status"] = "Succeeded"
            except Refusal as r:
                op["status"] = "Failed"
                op["error"] = {"code": r.code, "message": r.message}
            op["end"] = op["due"]
            self.operations_in_flight -= 1
            if op["pending_rule"]:
                pending = self.pending_rules.get(op["pending_rule"][0], {})
                if pending.get(op["pending_rule"][1]["name"].lower()) is op["pending_rule"][1]:
                    del pending[op["pending_rule"][1]["name"].lower()]

    def lro_headers(self, base, status_path, result_path, op, status_api, style=None):
        style = style or self.config["lro_style"]
        h = {"Retry-After": str(int(self.config["retry_after"]))}
        if style in ("both", "async"):
            h["Azure-AsyncOperation"] = "%s%s/%s?api-version=%s" % (base, status_path, op["id"], status_api)
        if style in ("both", "location"):
            h["Location"] = "%s%s/%s?api-version=%s" % (base, result_path, op["id"], status_api)
        return h

    def operation_status(self, op, network=False):
        if network:  # Network's AzureAsyncOperationResult carries only status and error
            body = {"status": op["status"]}
        else:
            body = {"id": op["id"], "name": op["id"], "status": op["status"],
                    "startTime": iso(datetime.datetime.fromtimestamp(op["start"], datetime.timezone.utc)),
                    "endTime": iso(datetime.datetime.fromtimestamp(op["end"], datetime.timezone.utc)) if op["end"] else "0001-01-01T00:00:00.00000Z"}
        if op["error"]:
            body["error"] = dict(op["error"])
        return body

    def operation_result(self, op):
        if op["status"] == "InProgress":
            return 202, {"Location": op["location"], "Retry-After": str(int(self.config["retry_after"]))} if op["location"] else {"Retry-After": str(int(self.config["retry_after"]))}, None
        if op["status"] == "Failed":
            return 400, {}, {"error": dict(op["error"])}
        if op["result_id"]:
            r = self.get(op["result_id"])
            if r:
                return 200, {}, self.view(r)
        return 204, {}, None


# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------

class Response:
    def __init__(self, status, body=None, headers=None):
        self.status, self.body, self.headers = status, body, headers or {}
        self.payload = None

    def encode(self):
        if self.payload is None and self.body is not None:
            self.payload = json.dumps(self.body).encode()
        return self.payload or b""


def refusal_response(r):
    return Response(r.status, arm_error(r.code, r.message, r.target))


REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}
FAULT_CODES = {500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout",
               429: "TooManyRequests", 408: "RequestTimeout"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "arm-emulator/1"
    sys_version = ""
    timeout = 600  # an idle keep-alive connection is closed after this many seconds

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        emu = self.server.emulator
        with emu.lock:
            emu.open_connections += 1
            emu.max_open_connections = max(emu.max_open_connections, emu.open_connections)

    def finish(self):
        try:
            super().finish()
        finally:
            emu = self.server.emulator
            with emu.lock:
                emu.open_connections -= 1

    def do_GET(self):
        self.dispatch()

    do_PUT = do_POST = do_PATCH = do_DELETE = do_HEAD = do_GET

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def dispatch(self):
        emu = self.server.emulator
        raw = self.read_body()
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        kind = "control" if path.startswith("/_emulator/") else (
            "token" if ("/oauth2/" in path or path.startswith(("/_msi/", "/_github/", "/metadata/identity/"))) else "arm")
        with emu.lock:
            emu.in_flight_requests += 1
            emu.max_in_flight_requests = max(emu.max_in_flight_requests, emu.in_flight_requests)
        try:
            fault = None if kind == "control" else self.take_fault(path)
            if fault and fault.get("after") != "response":
                if fault.get("drop"):
                    return self.drop(path, split.query, kind)
                resp = self.fault_response(fault, kind)
            else:
                with emu.lock:  # views share stored objects: encode before another request changes them
                    resp = self.route(kind, path, query, raw)
                    resp.encode()
                if fault:
                    if fault.get("drop"):
                        return self.drop(path, split.query, kind)
                    resp = self.fault_response(fault, kind)
            self.send(resp, kind, path, split.query)
        finally:
            with emu.lock:
                emu.in_flight_requests -= 1

    def take_fault(self, path):
        emu = self.server.emulator
        with emu.lock:
            for f in emu.faults:
                if f.get("method") and f["method"].upper() != self.command:
                    continue
                if f.get("path") and not re.search(f["path"], path, re.I):
                    continue
                f["count"] -= 1
                if f["count"] <= 0:
                    emu.faults.remove(f)
                return f
        return None

    def fault_response(self, fault, kind):
        status = int(fault.get("status", 503))
        headers = {"Retry-After": str(fault.get("retry_after", 1))} if status in (429, 503) else {}
        if kind == "arm":
            headers["x-ms-correlation-request-id"] = self.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())
            headers["x-ms-request-id"] = str(uuid.uuid4())
        return Response(status, arm_error(FAULT_CODES.get(status, "InjectedFault"), "Injected fault (HTTP %d)." % status), headers)

    def drop(self, path, query, kind):
        self.record(path, query, kind, 0)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def record(self, path, query, kind, status):
        emu = self.server.emulator
        with emu.lock:
            emu.requests.append({"method": self.command, "path": path, "query": query, "status": status,
                                 "at": time.time(), "kind": kind})
            emu.by_status[str(status)] = emu.by_status.get(str(status), 0) + 1

    def send(self, resp, kind, path, query):
        emu = self.server.emulator
        body = resp.encode()
        lines = ["HTTP/1.1 %d %s" % (resp.status, REASONS.get(resp.status, "Status"))]
        headers = {"Date": self.date_time_string(), "Server": self.server_version, "Content-Length": str(len(body))}
        if resp.body is not None or resp.payload is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        headers.update(resp.headers)
        if self.close_connection:
            headers["Connection"] = "close"
        lines += ["%s: %s" % (k, v) for k, v in headers.items()]
        self.record(path, query, kind, resp.status)
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body if self.command != "HEAD" else b"")
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    # -- routing -----------------------------------------------------------------------------------

    def route(self, kind, path, query, raw):
        emu = self.server.emulator
        try:
            if kind == "control":
                return self.control(path, query, raw)
            if kind == "token":
                return self.token(path, query, raw)
            return self.arm(path, query, raw)
        except Refusal as r:
            return refusal_response(r)
        except Exception as e:  # an emulator bug must not look like a dropped connection
            import traceback
            traceback.print_exc()
            return Response(500, arm_error("EmulatorInternalError", "%s: %s" % (type(e).__name__, e)))

    def json_body(self, raw):
        if not raw:
            return None
        try:
            return json.loads(raw.decode("utf-8-sig"))
        except ValueError as e:
            raise Refusal(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: %s" % e)

    # -- sign-in -------------------------------------------------------------------------------------

    def issue(self, resource=None):
        emu = self.server.emulator
        seconds = int(emu.config["token_seconds"])
        token = fake_jwt({"aud": resource or "https://management.azure.com", "iss": "arm-emulator", "jti": uuid.uuid4().hex})
        with emu.lock:
            emu.tokens[token] = time.time() + seconds
        return token, seconds

    def token(self, path, query, raw):
        emu = self.server.emulator
        q = {k: v[-1] for k, v in query.items()}
        m = re.match(r"^/([^/]+)/oauth2/v2\.0/token$", path)
        if m and self.command == "POST":
            form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}

            def refuse(status, error, description):
                return Response(status, {"error": error, "error_description": description})
            tenant = emu.config["tenant"]
            if tenant and m.group(1) != tenant:
                return refuse(400, "invalid_request", "AADSTS90002: Tenant '%s' not found." % m.group(1))
            if form.get("grant_type") != "client_credentials":
                return refuse(400, "unsupported_grant_type", "AADSTS70003: grant_type must be client_credentials.")
            if not form.get("client_id"):
                return refuse(400, "invalid_request", "AADSTS900144: The request body must contain the parameter: 'client_id'.")
            scope = form.get("scope", "")
            if not scope.endswith("/.default"):
                return refuse(400, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid; it must end in /.default.")
            if "client_secret" in form:
                if form["client_secret"] != emu.config["client_secret"]:
                    return refuse(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
            elif form.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                if not jwt_shaped(form.get("client_assertion")):
                    return refuse(401, "invalid_client", "AADSTS50027: JWT token is invalid or malformed.")
            else:
                return refuse(401, "invalid_client", "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required.")
            token, seconds = self.issue(scope[:-len("/.default")])
            return Response(200, {"token_type": "Bearer", "expires_in": seconds, "ext_expires_in": seconds, "access_token": token})
        if path == "/_github/oidc" and self.command == "GET":
            auth = self.headers.get("Authorization", "")
            if auth != "Bearer " + emu.config["github_request_token"]:
                return Response(401, {"message": "Bad credentials"})
            if q.get("audience") != "api://AzureADTokenExchange":
                return Response(400, {"message": "audience must be api://AzureADTokenExchange"})
            return Response(200, {"count": 1, "value": fake_jwt({"aud": q["audience"], "iss": "https://token.actions.githubusercontent.com",
                                                                 "sub": "repo:example/estate:ref:refs/heads/main"})})
        if path == "/_msi/token" and self.command == "GET":
            if self.headers.get("X-IDENTITY-HEADER") != emu.config["identity_header"]:
                return Response(400, {"statusCode": 400, "message": "X-IDENTITY-HEADER missing or wrong."})
            if q.get("api-version") != "2019-08-01" or not q.get("resource"):
                return Response(400, {"statusCode": 400, "message": "api-version 2019-08-01 and resource are required."})
            token, seconds = self.issue(q["resource"])
            return Response(200, {"access_token": token, "expires_on": str(int(time.time()) + seconds),
                                  "resource": q["resource"], "token_type": "Bearer"})
        if path == "/metadata/identity/oauth2/token" and self.command == "GET":
            if self.headers.get("Metadata", "").lower() != "true":
                return Response(400, {"error": "invalid_request", "error_description": "Required metadata header not specified"})
            if q.get("api-version") != "2018-02-01" or not q.get("resource"):
                return Response(400, {"error": "invalid_request", "error_description": "api-version 2018-02-01 and resource are required."})
            token, seconds = self.issue(q["resource"])
            return Response(200, {"access_token": token, "expires_on": str(int(time.time()) + seconds), "expires_in": str(seconds),
                                  "resource": q["resource"], "token_type": "Bearer"})
        return Response(404, {"error": "not_found", "error_description": "No such sign-in endpoint."})

    # -- ARM -------------------------------------------------------------------------------------------

    def arm(self, path, query, raw):
        emu = self.server.emulator
        write = self.command in ("PUT", "PATCH", "DELETE", "POST")
        common = {"x-ms-correlation-request-id": self.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4()),
                  "x-ms-request-id": str(uuid.uuid4())}
        bucket_header = "x-ms-ratelimit-remaining-subscription-" + ("writes" if write else "reads")
        m = re.match(r"^/subscriptions/([^/]+)", path, re.I)
        sub = m.group(1).lower() if m else "-"
        with emu.lock:
            burst = emu.config["write_burst" if write else "read_burst"]
            key = (sub, write)
            b = emu.buckets.get(key)
            if b is None:
                b = emu.buckets[key] = Bucket(burst, emu.config["write_refill" if write else "read_refill"])
            remaining = b.peek()
            auth = self.headers.get("Authorization", "")
            expiry = emu.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
            if expiry is None or expiry <= time.time():
                expired = expiry is not None
                code = "ExpiredAuthenticationToken" if expired else "InvalidAuthenticationToken"
                msg = ("The access token expiry UTC time is earlier than current UTC time." if expired
                       else "The access token is missing or invalid.")
                h = dict(common)
                h["WWW-Authenticate"] = ('Bearer authorization_uri="http://%s/common", error="invalid_token", '
                                         'error_description="%s"' % (self.headers.get("Host", "127.0.0.1"), msg))
                h[bucket_header] = str(remaining)
                return Response(401, arm_error(code, msg), h)
            if emu.config["throttle"]:
                ok, remaining, retry = b.take()
                if not ok:
                    emu.throttled += 1
                    h = dict(common)
                    h.update({bucket_header: "0", "Retry-After": str(retry)})
                    return Response(429, arm_error("SubscriptionRequestsThrottled",
                                                   "Number of '%s' requests for subscription '%s' actor 'emulator' exceeded. "
                                                   "Please try again after '%d' seconds after the additional tokens are available."
                                                   % ("write" if write else "read", sub, retry)), h)
            emu.settle()
            try:
                resp = self.arm_operation(path, query, raw)
            except Refusal as r:
                resp = refusal_response(r)
            if emu.config["check_responses"] and isinstance(resp.body, (dict, list)):
                self.check_response(path, resp)
        resp.headers.update(common)
        resp.headers[bucket_header] = str(remaining)
        return resp

    def violation(self, kind, path, op_name, errors):
        emu = self.server.emulator
        for json_path, message in errors:
            emu.violations.append({"kind": kind, "method": self.command, "path": path, "operation": op_name,
                                   "jsonPath": json_path, "message": message, "at": time.time()})

    def check_response(self, path, resp):
        emu = self.server.emulator
        method = "GET" if self.command == "GET" else self.command
        found = emu.specs.response_schema(method, path, resp.status)
        if found is None and resp.status >= 400:
            found = (os.path.join(SPECS, "common-types/resource-management/v3/types.json"), {"$ref": "#/definitions/ErrorResponse"})
        if found is None:
            return
        errors = emu.specs.check(resp.body, found[0], found[1], request=False)
        if errors:
            self.violation("response", path, "%s %d" % (method, resp.status), errors)

    def validate_request(self, path, body):
        """Checks the body against the spec operation matched by method + path; raises on violations."""
        emu = self.server.emulator
        found = emu.specs.operation(self.command, path)
        if not found:
            return
        _, op, spec_body = found
        if spec_body is None:
            return
        f, schema, required = spec_body
        if body is None:
            errors = [("$", "request body required")] if required else []
        else:
            errors = emu.specs.check(body, f, schema, request=True)
        if errors:
            self.violation("request", path, op.get("operationId"), errors)
            text = "; ".join("%s: %s" % e for e in errors)
            raise Refusal(400, "EmulatorContractViolation",
                          "The request body is not valid against the %s schema: %s" % (op.get("operationId"), text),
                          target=errors[0][0])

    def check_api_version(self, path, query, pinned):
        got = (query.get("api-version") or [""])[-1]
        if got != pinned:
            emu = self.server.emulator
            self.violation("request", path, None, [("api-version", "expected %s, got %r" % (pinned, got))])
            raise Refusal(400, "InvalidApiVersionParameter",
                          "The api-version '%s' is invalid. The pinned version for this resource type is '%s'." % (got, pinned))

    def base_url(self):
        return "http://" + self.headers.get("Host", "127.0.0.1")

    def page(self, records, query, path):
        """One page of records as GET shapes, with a nextLink while more remain."""
        emu = self.server.emulator
        size = max(1, int(emu.config["page_size"]))
        start = int((query.get("$skiptoken") or ["0"])[-1] or 0)
        chunk = records[start:start + size]
        next_link = None
        if start + size < len(records):
            q = {k: v[-1] for k, v in query.items()}
            q["$skiptoken"] = str(start + size)
            next_link = "%s%s?%s" % (self.base_url(), quote(path, safe="/;"), urlencode(q, quote_via=quote, safe="$'"))
        if emu.config["check_responses"]:
            body = {"value": [emu.view(r) for r in chunk]}
            if next_link:
                body["nextLink"] = next_link
            return Response(200, body)
        # Large refreshes list thousands of items: reuse each one's encoded view.
        resp = Response(200)
        resp.payload = b'{"value": [' + b", ".join(emu.encoded_view(r) for r in chunk) + b"]" + (
            b', "nextLink": ' + json.dumps(next_link).encode() if next_link else b"") + b"}"
        return resp

    def arm_operation(self, path, query, raw):
        emu = self.server.emulator
        method = self.command
        low = path.lower()
        self.request_json = None
        if method in ("PUT", "PATCH", "POST"):
            # Every body is checked, also for operations the emulator does not otherwise serve.
            try:
                self.request_json = self.json_body(raw)
            except Refusal:
                self.violation("request", path, None, [("$", "body is not JSON")])
                raise
            self.validate_request(path, self.request_json)

        # Polling URLs (any api-version, as Azure's own carry old ones).
        m = re.search(r"/(operationstatus|operations|operationsstatus|backupoperations|operationresults|backupoperationresults)/([^/]+)$", low)
        if m and method == "GET" and m.group(2) in emu.operations:
            op = emu.operations[m.group(2)]
            if "result" in m.group(1):
                status, headers, body = emu.operation_result(op)
                return Response(status, body, headers)
            return Response(200, emu.operation_status(op, network=op["kind"].startswith("rule")))

        # Lists of top-level resources, by subscription or resource group.
        m = re.match(r"^/subscriptions/([^/]+)(?:/resourcegroups/([^/]+))?/providers/"
                     r"(microsoft\.recoveryservices/vaults|microsoft\.network/networksecuritygroups|microsoft\.compute/virtualmachines)$", low)
        if m and method == "GET":
            kind, pinned = {"microsoft.recoveryservices/vaults": ("vault", VAULT_API),
                            "microsoft.network/networksecuritygroups": ("nsg", NETWORK_API),
                            "microsoft.compute/virtualmachines": ("vm", COMPUTE_API)}[m.group(3)]
            self.check_api_version(path, query, pinned)
            prefix = "/subscriptions/%s/" % m.group(1) + ("resourcegroups/%s/" % m.group(2) if m.group(2) else "")
            return self.page(emu.all_of(kind, prefix), query, path)

        m = re.match("^" + VAULT_RX + r"/(backuppolicies|backupprotecteditems)$", path, re.I)
        if m and method == "GET":
            vault, _ = self.in_vault(m.groupdict(), path, query)
            rows = emu.kids(vault["id"], "policy" if m.group(4).lower() == "backuppolicies" else "item")
            if not self.filter_matches((query.get("$filter") or [""])[-1]):
                rows = []
            return self.page(rows, query, path)

        m = re.match("^" + VAULT_RX + r"/backupstorageconfig/vaultstorageconfig$", path, re.I)
        if m:
            return self.storage_config(m.groupdict(), path, query)

        m = re.match("^" + NSG_RX + r"/securityrules$", path, re.I)
        if m and method == "GET":
            nsg, _ = self.in_nsg(m.groupdict(), path, query)
            return self.page(emu.kids(nsg["id"], "rule"), query, path)

        kind, g = parse_id(path)
        if kind == "vault":
            return self.vault(g, path, query)
        if kind == "policy":
            return self.policy(g, path, query)
        if kind == "item":
            return self.item(g, path, query)
        if kind == "rule":
            return self.rule(g, path, query)
        if kind in ("nsg", "vm", "nic") and method == "GET":
            self.check_api_version(path, query, COMPUTE_API if kind == "vm" else NETWORK_API)
            r = emu.get(path)
            if not r:
                raise self.not_found(TYPES[kind], path.rstrip("/").split("/")[-1])
            return Response(200, emu.view(r))
        return Response(404, arm_error("InvalidResourceType" if method == "GET" else "NoRegisteredProviderFound",
                                       "The emulator does not serve %s %s." % (method, path)))

    def filter_matches(self, flt):
        for key, value in re.findall(r"(\w+)\s+eq\s+'([^']*)'", flt or ""):
            want = {"backupmanagementtype": "azureiaasvm", "itemtype": "vm", "workloadtype": "vm"}.get(key.lower())
            if want and value.lower() != want:
                return False
        return True

    def not_found(self, rtype, name):
        return Refusal(404, "ResourceNotFound", "The Resource '%s/%s' under resource group was not found." % (rtype, name))

    # -- vaults ---------------------------------------------------------------------------------------

    def vault(self, g, path, query):
        emu = self.server.emulator
        method = self.command
        self.check_api_version(path, query, VAULT_API)
        vid = vault_id(g)
        existing = emu.get(vid)
        if method == "GET":
            if not existing:
                raise self.not_found(TYPES["vault"], g["vault"])
            return Response(200, emu.view(existing))
        if method in ("PUT", "PATCH"):
            req = self.request_json
            if method == "PATCH" and not existing:
                raise self.not_found(TYPES["vault"], g["vault"])
            if existing:
                emu.check_redundancy_change(existing, ((req.get("properties") or {}).get("redundancySettings") or {}))
            if method == "PUT":
                new_body = emu.build_vault(g, req, existing)
            else:
                new_body = copy.deepcopy(existing["body"])
                patch = {k: v for k, v in req.items() if k in ("tags", "sku", "identity", "properties", "etag")}
                patch.pop("etag", None)
                deep_merge(new_body, patch)
            new_body["name"] = existing["body"]["name"] if existing else g["vault"]
            display = existing["id"] if existing else vid

            def effect():
                created = not emu.get(display)
                emu.put_resource("vault", g, display, new_body)
                if created:
                    emu.add_system_policies(g)
            op = emu.start_operation("vault", g["sub"], effect, result_id=display)
            resp = self.accepted(op, display + "/operationStatus", display + "/operationResults", VAULT_API)
            if method == "PUT":
                resp.status = 200 if existing else 201
                resp.body = dict(copy.deepcopy(new_body), id=display, type=TYPES["vault"])
                resp.body["properties"]["provisioningState"] = "Updating" if existing else "Provisioning"
            return resp
        if method == "DELETE":
            if not existing:
                return Response(204)
            items = emu.vault_items(vid)
            if any(not i["body"]["properties"].get("isScheduledForDeferredDelete") for i in items):
                raise Refusal(400, "ServiceResourceNotEmptyWithContainerDetails",
                              "Vault cannot be deleted as there are existing resources within the vault. "
                              "Please delete any replicated items, registered servers, Hyper-V sites, backup items "
                              "(used for Site Recovery), policy associations for System Center VMM clouds and then delete the vault.")
            if items:
                raise Refusal(400, "ServiceResourceNotEmpty", "Recovery Services vault cannot be deleted as there are backup "
                              "items in soft deleted state in the vault. The soft deleted items must be permanently deleted "
                              "before the vault is deleted.")
            display = existing["id"]
            op = emu.start_operation("vault-delete", g["sub"], lambda: emu.remove_resource(display))
            return self.accepted(op, display + "/operationStatus", display + "/operationResults", VAULT_API)
        raise Refusal(405, "MethodNotAllowed", "%s is not supported on a vault." % method)

    def storage_config(self, g, path, query):
        emu = self.server.emulator
        self.check_api_version(path, query, BACKUP_API)
        vault = emu.get(vault_id(g))
        if self.command in ("PUT", "PATCH"):
            req = self.request_json
        if not vault:
            raise self.not_found(TYPES["vault"], g["vault"])
        if self.command == "GET":
            return Response(200, emu.storage_config(vault))
        if self.command not in ("PUT", "PATCH"):
            raise Refusal(405, "MethodNotAllowed", "%s is not supported on vaultstorageconfig." % self.command)
        props = (req or {}).get("properties") or {}
        red = {}
        kind = props.get("storageModelType") or props.get("storageType")
        if kind:
            red["standardTierStorageRedundancy"] = kind
        if "crossRegionRestoreFlag" in props:
            red["crossRegionRestore"] = "Enabled" if props["crossRegionRestoreFlag"] else "Disabled"
        emu.check_redundancy_change(vault, red)
        vault["body"]["properties"].setdefault("redundancySettings", {}).update(red)
        if self.command == "PATCH":
            return Response(204)
        return Response(200, emu.storage_config(vault))

    def in_vault(self, g, path, query):
        """The vault a backup child lives in (404 if missing) and the names with the vault's stored casing."""
        self.check_api_version(path, query, BACKUP_API)
        vault = self.server.emulator.get(vault_id(g))
        if not vault:
            raise self.not_found(TYPES["vault"], g["vault"])
        return vault, dict(g, sub=vault["g"]["sub"], rg=vault["g"]["rg"], vault=vault["g"]["vault"])

    def accepted(self, op, status_path, result_path, api_version, style=None):
        """202 for an operation, with the polling headers of --lro-style."""
        emu = self.server.emulator
        headers = emu.lro_headers(self.base_url(), status_path, result_path, op, api_version, style)
        op["location"] = headers.get("Location")
        return Response(202, None, headers)

    # -- policies ----------------------------------------------------------------------------------------

    def policy(self, g, path, query):
        emu = self.server.emulator
        method = self.command
        req = self.request_json
        vault, g = self.in_vault(g, path, query)
        existing = emu.get(policy_display_id(g))
        display = existing["id"] if existing else policy_display_id(g)
        if method == "GET":
            if not existing:
                raise self.not_found(TYPES["policy"], g["policy"])
            return Response(200, emu.view(existing))
        if method == "PUT":
            body = {"name": existing["body"]["name"] if existing else g["policy"], "properties": copy.deepcopy(req.get("properties") or {})}
            sched = body["properties"].get("schedulePolicy")
            if isinstance(sched, dict) and sched.get("schedulePolicyType") == "SimpleSchedulePolicy":
                sched.setdefault("scheduleWeeklyFrequency", 0)
            if body["properties"].get("backupManagementType") == "AzureIaasVM":
                body["properties"].setdefault("policyType", "V1")
            for k in ("tags", "location"):
                if k in req:
                    body[k] = copy.deepcopy(req[k])
            op = emu.start_operation("policy", g["sub"], lambda: emu.put_resource("policy", g, display, body), result_id=display)
            return self.accepted(op, display + "/operations", display + "/operationResults", "2016-06-01")
        if method == "DELETE":
            if not existing:
                return Response(204)
            op = emu.start_operation("policy-delete", g["sub"], lambda: emu.remove_resource(display))
            return self.accepted(op, display + "/operations", display + "/operationResults", "2016-06-01")
        raise Refusal(405, "MethodNotAllowed", "%s is not supported on a backup policy." % method)

    # -- protected items ------------------------------------------------------------------------------------

    def item(self, g, path, query):
        emu = self.server.emulator
        method = self.command
        req = self.request_json
        vault, g = self.in_vault(g, path, query)
        display = item_display_id(g)
        existing = emu.get(display)
        if method == "GET":
            if not existing:
                raise self.not_found(TYPES["item"], g["item"])
            return Response(200, emu.view(existing))
        if method == "PUT":
            emu.check_item_names(g, req)
            props = req.get("properties") or {}
            soft = existing and existing["body"]["properties"].get("isScheduledForDeferredDelete")
            if soft and not props.get("isRehydrate"):
                raise Refusal(400, "UserErrorInvalidOperationOnSoftDeletedItem",
                              "Operation cannot be performed on an item in soft deleted state. Undelete the item first (isRehydrate).")
            if not existing and not props.get("sourceResourceId"):
                raise Refusal(400, "BMSUserErrorInvalidConfigureProtectionRequest", "sourceResourceId is required to configure protection.")
            if props.get("policyId") and not props.get("isRehydrate"):
                policy = emu.get(props["policyId"])
                if not policy or policy["id"].lower().rsplit("/backuppolicies/", 1)[0] != vault["id"].lower():
                    raise Refusal(400, "BMSUserErrorPolicyNotFound", "The policy %s was not found in vault %s." % (
                        props["policyId"].rstrip("/").split("/")[-1], g["vault"]))
            src = (props.get("sourceResourceId") or (existing and existing["body"]["properties"].get("sourceResourceId")) or "").lower()

            def check():
                holder = emu.registrations.get(src)
                if holder and holder != display.lower() and emu.resources.get(holder):
                    other = emu.resources[holder]["g"]["vault"]
                    raise Refusal(400, "UserErrorVmAlreadyRegisteredToAnotherVault",
                                  "Virtual machine is already registered\\registering with another recovery services vault "
                                  "(%s). Stop protection and unregister it from that vault first." % other)

            def effect():
                current = emu.get(display)
                emu.put_resource("item", g, display, emu.build_item(g, req, current))
            op = emu.start_operation("item", g["sub"], effect, result_id=display, check=check)
            return self.accepted(op, display + "/operationsStatus", display + "/operationResults", "2016-12-01")
        if method == "DELETE":
            if not existing or existing["body"]["properties"].get("isScheduledForDeferredDelete"):
                return Response(204)

            def soft_delete():
                current = emu.get(display)
                if not current:
                    return
                current.pop("json", None)
                p = current["body"]["properties"]
                p["isScheduledForDeferredDelete"] = True
                p["deferredDeleteTimeInUTC"] = iso(utc_now() + datetime.timedelta(days=SOFT_DELETE_DAYS))
                p["protectionState"] = "ProtectionStopped"
                p["policyId"] = ""
                p.pop("policyName", None)
            op = emu.start_operation("item-delete", g["sub"], soft_delete)
            vid = vault["id"]
            return self.accepted(op, vid + "/backupOperations", vid + "/backupOperationResults", "2016-12-01")
        raise Refusal(405, "MethodNotAllowed", "%s is not supported on a protected item." % method)

    def in_nsg(self, g, path, query):
        """The NSG a rule lives in (404 if missing) and the names with the NSG's stored casing."""
        self.check_api_version(path, query, NETWORK_API)
        nsg = self.server.emulator.get(nsg_id(g))
        if not nsg:
            raise self.not_found(TYPES["nsg"], g["nsg"])
        return nsg, dict(g, sub=nsg["g"]["sub"], rg=nsg["g"]["rg"], nsg=nsg["g"]["nsg"])

    # -- NSG rules -------------------------------------------------------------------------------------------

    def rule(self, g, path, query):
        emu = self.server.emulator
        method = self.command
        req = self.request_json
        nsg, g = self.in_nsg(g, path, query)
        display = nsg["id"] + "/securityRules/" + g["rule"]
        existing = emu.get(display)
        if existing:
            display = existing["id"]
        location = normalize_location(nsg["body"].get("location")) or "westus"
        ops_path = "/subscriptions/%s/providers/Microsoft.Network/locations/%s" % (g["sub"], location)
        if method == "GET":
            if not existing:
                raise Refusal(404, "NotFound", "Resource %s not found." % display)
            return Response(200, emu.view(existing))
        if method == "PUT":
            props = req.get("properties") or {}
            others = [r["body"] for r in emu.kids(nsg["id"], "rule") if r["id"].lower() != display.lower()]
            others += [b for name, b in emu.pending_rules.get(nsg["id"].lower(), {}).items() if name != g["rule"].lower()]
            for other in others:
                op_props = other.get("properties", {})
                if (op_props.get("priority") == props.get("priority")
                        and str(op_props.get("direction", "")).lower() == str(props.get("direction", "")).lower()):
                    raise Refusal(400, "SecurityRuleConflict", "Security rule %s conflicts with rule %s. Rules cannot have the "
                                  "same Priority and Direction. To learn more, see aka.ms/nsgrules." % (g["rule"], other["name"]))
            body = emu.build_rule(g, req)
            op = emu.start_operation("rule", g["sub"], lambda: emu.put_resource("rule", g, display, body), result_id=display,
                                     pending_rule=(nsg["id"].lower(), body))
            style = "location" if emu.config["lro_style"] == "location" else "async"
            resp = self.accepted(op, ops_path + "/operations", ops_path + "/operationResults", NETWORK_API, style)
            resp.status = 200 if existing else 201
            resp.body = dict(copy.deepcopy(body), id=display)
            resp.body["properties"]["provisioningState"] = "Updating"
            return resp
        if method == "DELETE":
            if not existing:
                return Response(204)
            op = emu.start_operation("rule-delete", g["sub"], lambda: emu.remove_resource(display))
            return self.accepted(op, ops_path + "/operations", ops_path + "/operationResults", NETWORK_API)
        raise Refusal(405, "MethodNotAllowed", "%s is not supported on a security rule." % method)

    # -- control API ------------------------------------------------------------------------------------------

    def control(self, path, query, raw):
        emu = self.server.emulator
        name = path[len("/_emulator/"):].strip("/")
        method = self.command
        body = self.json_body(raw) if raw else {}
        with emu.lock:
            if method == "GET" and name == "requests":
                since = int((query.get("since") or ["0"])[-1])
                rows = emu.requests[since:]
                kinds = query.get("kind")
                if kinds:
                    rows = [r for r in rows if r["kind"] in kinds]
                return Response(200, rows)
            if method == "GET" and name == "violations":
                return Response(200, emu.violations)
            if method == "GET" and name == "resources":
                emu.settle()
                return Response(200, {k: emu.view(r) for k, r in emu.resources.items()})
            if method == "GET" and name == "operations":
                emu.settle()
                return Response(200, [dict(emu.operation_status(o), kind=o["kind"]) for o in emu.operations.values()])
            if method == "GET" and name == "stats":
                return Response(200, {"requests": len(emu.requests), "byStatus": dict(emu.by_status),
                                      "maxConcurrent": emu.max_open_connections, "openConnections": emu.open_connections,
                                      "maxInFlightRequests": emu.max_in_flight_requests,
                                      "maxOperationsInFlight": emu.max_operations_in_flight, "throttled": emu.throttled})
            if method == "GET" and name == "config":
                return Response(200, emu.config)
            if method != "POST":
                return Response(404, arm_error("NotFound", "No control endpoint %s %s." % (method, path)))
            if name == "faults":
                rules = body if isinstance(body, list) else [body]
                for f in rules:
                    if "path" in f:
                        re.compile(f["path"])
                    if not f.get("drop") and int(f.get("status", 503)) not in (408, 429, 500, 502, 503, 504):
                        raise Refusal(400, "BadFault", "status must be one of 408, 429, 500, 502, 503, 504")
                    emu.faults.append(dict(f, count=int(f.get("count", 1))))
                return Response(200, emu.faults)
            if name == "faults/clear":
                emu.faults = []
                return Response(200, [])
            if name == "seed":
                for entry in body.get("resources", []):
                    self.seed_one(entry["id"], copy.deepcopy(entry.get("body") or {}))
                return Response(200, {"seeded": len(body.get("resources", []))})
            if name == "mutate":
                r = emu.get(body["id"])
                if not r:
                    raise Refusal(404, "ResourceNotFound", "No resource %s." % body["id"])
                if body.get("delete"):
                    emu.remove_resource(body["id"])
                else:
                    deep_merge(r["body"], body.get("merge") or {})
                    r.pop("json", None)
                    if r["kind"] == "item":
                        src = r["body"].get("properties", {}).get("sourceResourceId")
                        if src:
                            emu.registrations[src.lower()] = r["id"].lower()
                return Response(200, {"id": r["id"]})
            if name == "expire-tokens":
                for t in emu.tokens:
                    emu.tokens[t] = 0
                return Response(200, {"expired": len(emu.tokens)})
            if name == "config":
                emu.configure(body)
                return Response(200, emu.config)
            if name == "reset":
                emu.reset()
                return Response(200, {})
        return Response(404, arm_error("NotFound", "No control endpoint %s %s." % (method, path)))

    def seed_one(self, rid, body):
        emu = self.server.emulator
        kind, g = parse_id(rid)
        if kind is None:
            raise Refusal(400, "BadSeed", "Unsupported resource id %s." % rid)
        body.setdefault("name", rid.rstrip("/").split("/")[-1])
        if kind == "vault":
            display = vault_id(g)
            full = emu.build_vault(g, {"location": body.get("location", "westus"), "properties": body.get("properties") or {}},
                                   None)
            for k in ("tags", "sku", "identity"):
                if k in body:
                    full[k] = body[k]
            emu.put_resource("vault", g, display, full)
            emu.add_system_policies(g)
        elif kind == "policy":
            emu.put_resource("policy", g, policy_display_id(g), body)
        elif kind == "item":
            p = body.setdefault("properties", {})
            body["name"] = g["item"].lower()
            src = p.get("sourceResourceId", "")
            p.setdefault("protectedItemType", "Microsoft.Compute/virtualMachines")
            p.setdefault("backupManagementType", "AzureIaasVM")
            p.setdefault("workloadType", "VM")
            p.setdefault("containerName", g["container"].lower().split(";", 1)[-1])
            p.setdefault("friendlyName", src.rstrip("/").split("/")[-1])
            p.setdefault("virtualMachineId", src)
            p.setdefault("protectionState", "Protected")
            p.setdefault("protectionStatus", "Healthy")
            p.setdefault("healthStatus", "Passed")
            if p.get("policyId"):
                p["policyId"] = re.sub(r"^/subscriptions/", "/Subscriptions/", p["policyId"], flags=re.I)
                p.setdefault("policyName", p["policyId"].rstrip("/").split("/")[-1])
            if p.get("isScheduledForDeferredDelete"):
                p.setdefault("deferredDeleteTimeInUTC", iso(utc_now() + datetime.timedelta(days=SOFT_DELETE_DAYS)))
                p.setdefault("protectionState", "ProtectionStopped")
            emu.put_resource("item", g, item_display_id(g), body)
        elif kind == "nsg":
            display = nsg_id(g)
            props = body.setdefault("properties", {})
            rules = props.pop("securityRules", [])
            props.setdefault("provisioningState", "Succeeded")
            props.setdefault("resourceGuid", str(uuid.UUID(hashlib.md5(display.lower().encode()).hexdigest())))
            props.setdefault("defaultSecurityRules", default_security_rules(display))
            body["location"] = normalize_location(body.get("location", "westus"))
            emu.put_resource("nsg", g, display, body)
            for rule in rules:
                self.seed_one(display + "/securityRules/" + rule["name"], rule)
        elif kind == "rule":
            body.setdefault("properties", {}).setdefault("provisioningState", "Succeeded")
            body.setdefault("type", TYPES["rule"])
            emu.put_resource("rule", g, nsg_id(g) + "/securityRules/" + g["rule"], body)
        else:
            emu.put_resource(kind, g, rid, body)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 2048
    allow_reuse_address = True


def parse_args(argv):
    p = argparse.ArgumentParser(description="ARM emulator for tresor's tests (see README.md).")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--write-burst", type=int, default=DEFAULTS["write_burst"])
    p.add_argument("--write-refill", type=float, default=DEFAULTS["write_refill"])
    p.add_argument("--read-burst", type=int, default=DEFAULTS["read_burst"])
    p.add_argument("--read-refill", type=float, default=DEFAULTS["read_refill"])
    p.add_argument("--no-throttle", action="store_true")
    p.add_argument("--operation-seconds", type=float, default=DEFAULTS["operation_seconds"])
    p.add_argument("--retry-after", type=int, default=DEFAULTS["retry_after"])
    p.add_argument("--lro-style", choices=["both", "async", "location"], default=DEFAULTS["lro_style"])
    p.add_argument("--token-seconds", type=int, default=DEFAULTS["token_seconds"])
    p.add_argument("--client-secret", default=DEFAULTS["client_secret"])
    p.add_argument("--page-size", type=int, default=DEFAULTS["page_size"])
    p.add_argument("--tenant", default=None)
    p.add_argument("--github-request-token", default=DEFAULTS["github_request_token"])
    p.add_argument("--identity-header", default=DEFAULTS["identity_header"])
    p.add_argument("--check-responses", action="store_true",
                   help="also validate every JSON response against the spec's response schema (recorded as kind=response)")
    return p.parse_args(argv)


def main(argv=None):
    a = parse_args(argv if argv is not None else sys.argv[1:])
    config = {k: v for k, v in vars(a).items() if k in DEFAULTS}
    config["throttle"] = not a.no_throttle
    threading.stack_size(1024 * 1024)
    gc.set_threshold(50000, 20, 100)  # fewer full collections over large seeded estates
    server = Server(("127.0.0.1", a.port), Handler)
    server.emulator = Emulator(config)

    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
