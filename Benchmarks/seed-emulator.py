#!/usr/bin/env python3
"""Seed the ARM emulator with what a tresor state file records, as Azure would hold it.

    python3 Benchmarks/seed-emulator.py STATE BASE_URL

Every vault, policy, protected item and NSG security rule of the state is created out of band
(POST /_emulator/seed) in the ARM GET shapes the emulator serves, with the request bodies of
TresorAzure's ARMBodies, so that a plan that refreshes against the emulator finds no drift.
NSGs, which state does not hold, are made for the rules (location westeurope). Python 3
standard library only.
"""
import json
import sys
import urllib.request

SCHEDULE_DATE = "2018-01-24"


def vault(attributes):
    return {"location": attributes["region"], "tags": attributes.get("tags", {}),
            "properties": {"redundancySettings": {
                "standardTierStorageRedundancy": "GeoRedundant" if attributes["replication"] == "GRS" else "LocallyRedundant",
                "crossRegionRestore": "Enabled" if attributes["crossRegionRestore"] else "Disabled"}}}


def long_term(retention):
    if "daysOfMonth" in retention:
        days = [{"date": 0, "isLast": True} if d == "Last" else {"date": int(d), "isLast": False} for d in retention["daysOfMonth"]]
        return {"retentionScheduleFormatType": "Daily", "retentionScheduleDaily": {"daysOfTheMonth": days}}
    return {"retentionScheduleFormatType": "Weekly",
            "retentionScheduleWeekly": {"daysOfTheWeek": retention.get("days", []), "weeksOfTheMonth": [retention.get("week", "First")]}}


def policy(attributes):
    schedule = attributes["schedule"]
    time = "%sT%s:00Z" % (SCHEDULE_DATE, schedule["time"])
    schedule_policy = {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": schedule["frequency"], "scheduleRunTimes": [time]}
    if "days" in schedule:
        schedule_policy["scheduleRunDays"] = schedule["days"]
    retention = attributes.get("retention", {})
    policy = {"retentionPolicyType": "LongTermRetentionPolicy"}
    if "daily" in retention:
        policy["dailySchedule"] = {"retentionTimes": [time], "retentionDuration": {"count": retention["daily"], "durationType": "Days"}}
    if "weekly" in retention:
        policy["weeklySchedule"] = {"daysOfTheWeek": retention["weekly"]["days"], "retentionTimes": [time],
                                    "retentionDuration": {"count": retention["weekly"]["weeks"], "durationType": "Weeks"}}
    if "monthly" in retention:
        policy["monthlySchedule"] = dict(long_term(retention["monthly"]), retentionTimes=[time],
                                         retentionDuration={"count": retention["monthly"]["months"], "durationType": "Months"})
    if "yearly" in retention:
        policy["yearlySchedule"] = dict(long_term(retention["yearly"]), monthsOfYear=retention["yearly"].get("months", []),
                                        retentionTimes=[time],
                                        retentionDuration={"count": retention["yearly"]["years"], "durationType": "Years"})
    return {"properties": {"backupManagementType": "AzureIaasVM", "schedulePolicy": schedule_policy, "retentionPolicy": policy,
                           "instantRpRetentionRangeInDays": attributes.get("instantRestoreDays", 2),
                           "timeZone": schedule.get("timeZone", "UTC")}}


def item(resource):
    attributes = resource["attributes"]
    vault_id = "/".join(resource["id"].split("/")[:9])
    return {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": attributes["vm"],
                           "policyId": "%s/backupPolicies/%s" % (vault_id, attributes["policy"]),
                           "protectionState": attributes["protectionState"]}}


def rule(attributes):
    def pair(single, plural, values):
        return {single: values[0]} if len(values) == 1 else {plural: values}
    properties = {"direction": attributes["direction"], "access": attributes["access"], "priority": attributes["priority"],
                  "protocol": attributes["protocol"]}
    properties.update(pair("sourceAddressPrefix", "sourceAddressPrefixes", attributes["source"]))
    properties.update(pair("sourcePortRange", "sourcePortRanges", attributes["sourcePorts"]))
    properties.update(pair("destinationAddressPrefix", "destinationAddressPrefixes", attributes["destination"]))
    properties.update(pair("destinationPortRange", "destinationPortRanges", attributes["destinationPorts"]))
    if "description" in attributes:
        properties["description"] = attributes["description"]
    return {"properties": properties}


def post(base, resources):
    request = urllib.request.Request(base + "/_emulator/seed", data=json.dumps({"resources": resources}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request).read()


def main():
    state_path, base = sys.argv[1], sys.argv[2].rstrip("/")
    resources = json.load(open(state_path))["resources"]
    by_kind = {kind: [r for r in resources if r["kind"] == kind] for kind in ("Vault", "BackupPolicy", "NetworkRule", "ProtectedItem")}
    nsgs = {}
    for r in by_kind["NetworkRule"]:
        nsgs.setdefault(r["id"].rsplit("/securityRules/", 1)[0], []).append(r)
    batches = [[(r["id"], vault(r["attributes"])) for r in by_kind["Vault"]],
               [(r["id"], policy(r["attributes"])) for r in by_kind["BackupPolicy"]],
               [(nsg, {"location": "westeurope", "properties": {"securityRules": []}}) for nsg in nsgs],
               [(r["id"], rule(r["attributes"])) for r in by_kind["NetworkRule"]],
               [(r["id"], item(r)) for r in by_kind["ProtectedItem"]]]
    for batch in batches:
        for start in range(0, len(batch), 5000):
            post(base, [{"id": i, "body": b} for i, b in batch[start:start + 5000]])
    print("seeded %d vaults, %d policies, %d NSGs, %d rules, %d items" % (
        len(by_kind["Vault"]), len(by_kind["BackupPolicy"]), len(nsgs), len(by_kind["NetworkRule"]), len(by_kind["ProtectedItem"])))


if __name__ == "__main__":
    main()
