import TresorModel
import TresorSupport

/// The JSON Schema (draft 2020-12) of tresor/v1 manifests, for editors (yaml-language-server) and
/// JSON Schema validators. `tresor schema` prints `text`; Schemas/tresor-v1.schema.json holds the
/// same bytes, and a test keeps the two identical.
///
/// The schema checks what the decoder checks (TR004–TR008): kinds, field names (taken from the
/// decoder's own lists), required fields, YAML shapes, enums, GUIDs, whole numbers and booleans.
/// What the rules check (names, regions, ranges, times, ports) stays with tresor, so a manifest
/// that only breaks a rule still passes the schema. Validators usually load YAML as YAML 1.1,
/// where `priority: 900` is a number and unquoted `19:00` is the number 1140, so wherever tresor
/// reads text the schema also takes numbers and booleans, and whole numbers may be digit strings.
public enum ManifestSchema {
    public static let text: String = document.rendered() + "\n"

    static var document: JSON {
        let kinds = ResourceKind.allCases.map(\.rawValue)
        return .object([
            ("$schema", "https://json-schema.org/draft/2020-12/schema"),
            ("title", "tresor manifest document (tresor/v1)"),
            (
                "description",
                """
                One document of a tresor manifest: one Azure Backup resource. A manifest file holds \
                documents separated by ---. An empty document is ignored.
                """
            ),
            // An empty document (a trailing ---) loads as null; tresor skips it.
            ("type", .array(["object", "null"])),
            ("required", .array(["apiVersion", "kind"])),
            ("properties", .object([("apiVersion", ref("apiVersion")), ("kind", ref("kind"))])),
            (
                "allOf",
                .array(
                    kinds.map { kind in
                        .object([
                            (
                                "if",
                                .object([
                                    ("type", "object"), ("required", .array(["kind"])),
                                    ("properties", .object([("kind", .object([("const", .string(kind))]))]))
                                ])
                            ),
                            ("then", ref(kind))
                        ])
                    })
            ),
            ("$defs", .object(scalarDefinitions + enumDefinitions + objectDefinitions))
        ])
    }

    // MARK: Scalars

    private static let scalarDefinitions: [(String, JSON)] = [
        ("apiVersion", .object([("description", "Always tresor/v1."), ("const", .string(ManifestDecoder.apiVersion))])),
        (
            "kind",
            .object([
                (
                    "description",
                    "The resource: Vault, BackupPolicy, Protection and NetworkRule are managed; VirtualMachine and NetworkSecurityGroup are observed facts."
                ),
                ("enum", .array(ResourceKind.allCases.map { .string($0.rawValue) }))
            ])
        ),
        (
            "text",
            .object([
                ("description", "A scalar, read as text: a number or boolean here means its text."),
                ("type", .array(["string", "number", "boolean"]))
            ])
        ),
        // Sequence entries and tag values are read as text even when null.
        (
            "entry",
            .object([
                ("description", "A scalar, read as text."),
                ("type", .array(["string", "number", "boolean", "null"]))
            ])
        ),
        ("textList", .object([("type", "array"), ("items", ref("entry"))])),
        (
            "textOrList",
            .object([
                ("description", "One value or a list of values."),
                ("anyOf", .array([ref("text"), ref("textList")]))
            ])
        ),
        (
            "wholeNumber",
            .object([
                ("description", "A whole number (digits only)."),
                (
                    "anyOf",
                    .array([
                        .object([("type", "integer"), ("minimum", .int(0))]),
                        .object([("type", "string"), ("pattern", "^[0-9]+$")])
                    ])
                )
            ])
        ),
        (
            "boolean",
            .object([
                ("description", "true or false."),
                ("anyOf", .array([.object([("type", "boolean")]), .object([("enum", .array(["true", "false"]))])]))
            ])
        ),
        (
            "subscription",
            .object([
                ("description", "Subscription ID: a GUID."),
                ("type", "string"),
                ("pattern", "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
            ])
        ),
        (
            "resourceGroup",
            .object([
                ("description", "Resource group name: 1–90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'."),
                (
                    "anyOf",
                    .array([
                        .object([("type", "string"), ("pattern", #"^[-\w.()]{0,89}[-\w()]$"#)]),
                        // An all-digit name is a number to YAML readers.
                        .object([("type", "number")])
                    ])
                )
            ])
        ),
        (
            "dayOfMonth",
            .object([
                ("description", "A day of the month, 1–28, or Last."),
                (
                    "anyOf",
                    .array([
                        .object([("type", "integer"), ("minimum", .int(1)), ("maximum", .int(28))]),
                        .object([("type", "string"), ("pattern", .string("^(?:0*(?:[1-9]|1[0-9]|2[0-8])|\(caseless("Last")))$"))])
                    ])
                )
            ])
        )
    ]

    // MARK: Enums

    private static let enumDefinitions: [(String, JSON)] = [
        ("replication", enumeration(Replication.self, "Storage replication of the vault.")),
        ("frequency", enumeration(ScheduleFrequency.self, "How often the policy backs up.")),
        ("weekday", enumeration(Weekday.self, "A day of the week.")),
        ("weekdays", .object([("type", "array"), ("items", ref("weekday"))])),
        ("weekOfMonth", enumeration(WeekOfMonth.self, "A week of the month.")),
        ("month", enumeration(Month.self, "A month.")),
        ("months", .object([("type", "array"), ("items", ref("month"))])),
        ("daysOfMonth", .object([("type", "array"), ("items", ref("dayOfMonth"))])),
        ("direction", enumeration(RuleDirection.self, "Traffic direction.")),
        ("access", enumeration(RuleAccess.self, "Whether matching traffic is allowed or denied.")),
        ("osType", enumeration(OSType.self, "Operating system family.")),
        ("deployment", enumeration(DeploymentModel.self, "Deployment model.")),
        ("powerState", enumeration(PowerState.self, "Power state.")),
        ("egressRoute", enumeration(EgressRoute.self, "How the VM reaches the internet."))
    ]

    /// Canonical values (for completion) or any spelling of them in any case (what tresor accepts).
    private static func enumeration<E: ManifestEnum>(_: E.Type, _ description: String) -> JSON {
        let values = E.allCases.map(\.rawValue)
        return .object([
            ("description", .string("\(description) One of \(values.joined(separator: ", ")), in any case.")),
            (
                "anyOf",
                .array([
                    .object([("enum", .array(values.map(JSON.string)))]),
                    .object([("type", "string"), ("pattern", .string("^(?:\(values.map(caseless).joined(separator: "|")))$"))])
                ])
            )
        ])
    }

    /// A regular expression matching `word` in any case, without flags (JSON Schema has none).
    private static func caseless(_ word: String) -> String {
        word.map { character in
            let lower = character.lowercased()
            let upper = character.uppercased()
            return lower == upper ? String(character) : "[\(upper)\(lower)]"
        }.joined()
    }

    // MARK: Objects

    private struct Field {
        var name: String
        var schema: JSON
        var required: Bool
        var description: String
    }

    private static func field(_ name: String, _ schema: JSON, required: Bool = false, _ description: String) -> Field {
        Field(name: name, schema: schema, required: required, description: description)
    }

    private static let header = [
        field("apiVersion", ref("apiVersion"), required: true, "Always tresor/v1."),
        field("kind", ref("kind"), required: true, "The resource kind.")
    ]
    /// The fields that make a resource ID: name, subscription, resource group, and the region.
    private static func identity(_ resource: String, name: String) -> [Field] {
        [
            field("name", ref("text"), required: true, name),
            field("subscription", ref("subscription"), required: true, "Subscription ID."),
            field("resourceGroup", ref("resourceGroup"), required: true, "Resource group of the \(resource)."),
            field("region", ref("text"), required: true, "Azure region, programmatic name such as westeurope.")
        ]
    }

    private static let subscriptionReference = field(
        "subscription", ref("subscription"), "Subscription of the vault or NSG named here; needed only when the name is ambiguous.")

    /// Which days monthly and yearly retention keep.
    private static let longTermDays = [
        field("week", ref("weekOfMonth"), "Week of the month, with days."),
        field("days", ref("weekdays"), "Days of that week."),
        field("daysOfMonth", ref("daysOfMonth"), "Days of the month (1–28 or Last), instead of week and days.")
    ]

    private static let securityRuleFields = [
        field("name", ref("text"), required: true, "Rule name: no / \\ ? % ;, at most 80 characters."),
        field("direction", ref("direction"), required: true, "Inbound or Outbound."),
        field("access", ref("access"), required: true, "Allow or Deny."),
        field("priority", ref("wholeNumber"), required: true, "100–4096; the lower number wins."),
        field("protocol", ref("text"), required: true, "Tcp, Udp, Icmp, Esp, Ah or *."),
        field("source", ref("textOrList"), required: true, "CIDR, IP address, service tag or *; or a list of them."),
        field("sourcePorts", ref("textOrList"), required: true, "*, a port, a range such as 80-443, or a list of those."),
        field("destination", ref("textOrList"), required: true, "CIDR, IP address, service tag (Storage.westeurope) or *; or a list."),
        field("destinationPorts", ref("textOrList"), required: true, "*, a port, a range such as 80-443, or a list of those."),
        field("description", ref("text"), "At most 140 characters.")
    ]

    private static var objectDefinitions: [(String, JSON)] {
        [
            (
                "Vault",
                object(
                    "A Recovery Services vault (managed).", fields: ManifestDecoder.vaultFields,
                    header
                        + identity("vault", name: "2–50 characters: a letter first, then letters, digits and hyphens.") + [
                            field("replication", ref("replication"), "GRS (default) or LRS; locked once the vault holds backup items."),
                            field("crossRegionRestore", ref("boolean"), "Needs GRS; once true, never false again."),
                            field("tags", .object([("type", "object"), ("additionalProperties", ref("entry"))]), "Tags, as a string map.")
                        ])
            ),
            (
                "BackupPolicy",
                object(
                    "A VM backup policy held by a vault (managed).", fields: ManifestDecoder.policyFields,
                    header + [
                        field("name", ref("text"), required: true, "3–150 characters: a letter first, then letters, digits, '-' and '_'."),
                        field("vault", ref("text"), required: true, "The vault that holds the policy."),
                        subscriptionReference,
                        field("schedule", ref("schedule"), required: true, "When backups run."),
                        field("instantRestoreDays", ref("wholeNumber"), "Snapshot retention: Daily 1–5 (default 2); Weekly exactly 5."),
                        field("retention", ref("retention"), "How long recovery points are kept.")
                    ])
            ),
            (
                "schedule",
                object(
                    "When backups run.", fields: ManifestDecoder.scheduleFields,
                    [
                        field("frequency", ref("frequency"), required: true, "Daily or Weekly."),
                        field(
                            "time", ref("text"), required: true,
                            "HH:MM with minutes 00 or 30. Quote it: YAML 1.1 reads an unquoted 19:00 as a number."),
                        field("days", ref("weekdays"), "Days of a Weekly schedule."),
                        field("timeZone", ref("text"), "Windows time zone ID; default UTC.")
                    ])
            ),
            (
                "retention",
                object(
                    "How long recovery points are kept.", fields: ManifestDecoder.retentionFields,
                    [
                        field("daily", ref("wholeNumber"), "Days (7–9999); Daily schedules only, and required there."),
                        field("weekly", ref("weeklyRetention"), "Weekly points."),
                        field("monthly", ref("monthlyRetention"), "Monthly points."),
                        field("yearly", ref("yearlyRetention"), "Yearly points.")
                    ])
            ),
            (
                "weeklyRetention",
                object(
                    "Weekly points.", fields: ManifestDecoder.weeklyFields,
                    [
                        field("weeks", ref("wholeNumber"), required: true, "Weeks to keep (1–5163)."),
                        field("days", ref("weekdays"), required: true, "Days whose points are kept.")
                    ])
            ),
            (
                "monthlyRetention",
                object(
                    "Monthly points: week and days, or daysOfMonth.", fields: ManifestDecoder.monthlyFields,
                    [
                        field("months", ref("wholeNumber"), required: true, "Months to keep (1–1188).")
                    ] + longTermDays)
            ),
            (
                "yearlyRetention",
                object(
                    "Yearly points: months, and week and days or daysOfMonth.", fields: ManifestDecoder.yearlyFields,
                    [
                        field("years", ref("wholeNumber"), required: true, "Years to keep (1–99)."),
                        field("months", ref("months"), "Months whose points are kept.")
                    ] + longTermDays)
            ),
            (
                "Protection",
                object(
                    "VMs protected by a vault with a policy (managed).", fields: ManifestDecoder.protectionFields,
                    header + [
                        field("vault", ref("text"), required: true, "The vault that backs the VMs up."),
                        subscriptionReference,
                        field("policy", ref("text"), "Policy of that vault; DefaultPolicy when absent."),
                        field("vms", ref("textList"), required: true, "VM references: name, resourceGroup/name, or full VM resource ID.")
                    ])
            ),
            (
                "NetworkRule",
                object(
                    "An NSG security rule that tresor owns (managed).", fields: ManifestDecoder.networkRuleFields,
                    header + [
                        field("nsg", ref("text"), required: true, "The NetworkSecurityGroup that holds the rule."),
                        subscriptionReference
                    ] + securityRuleFields)
            ),
            (
                "VirtualMachine",
                object(
                    "A virtual machine (observed).", fields: ManifestDecoder.vmFields,
                    header
                        + identity("VM", name: "VM name.") + [
                            field("os", ref("os"), required: true, "Operating system."),
                            field("agent", ref("agent"), "VM agent."),
                            field("disks", ref("disks"), "Disks."),
                            field("deployment", ref("deployment"), "ResourceManager (default) or Classic."),
                            field("classic", ref("classic"), "Classic deployment settings."),
                            field("powerState", ref("powerState"), "running (default), stopped or deallocated."),
                            field("networkSecurityGroups", ref("textList"), "NSGs on its NIC or subnet, in evaluation order."),
                            field("egress", ref("egress"), "How the VM reaches the internet.")
                        ])
            ),
            (
                "os",
                object(
                    "Operating system.", fields: ManifestDecoder.osFields,
                    [
                        field("type", ref("osType"), required: true, "Windows or Linux."),
                        field(
                            "version", ref("text"), required: true,
                            "Windows: 2008 R2, 2012, 2012 R2, 2016, 2019, 2022, 2025. Linux: the distribution, such as Ubuntu 22.04.")
                    ])
            ),
            (
                "agent",
                object(
                    "VM agent.", fields: ManifestDecoder.agentFields,
                    [
                        field("installed", ref("boolean"), required: true, "Whether the VM agent is installed."),
                        field("version", ref("text"), "Agent version, such as 2.7.41491.1102.")
                    ])
            ),
            (
                "disks",
                object(
                    "Disks.", fields: ManifestDecoder.disksFields,
                    [
                        field("managed", ref("boolean"), "Managed disks (default true)."),
                        field("encryptedStorage", ref("boolean"), "Unmanaged disks: whether the storage account is encrypted."),
                        field("data", ref("wholeNumber"), "Number of data disks.")
                    ])
            ),
            (
                "classic",
                object(
                    "Classic deployment settings.", fields: ManifestDecoder.classicFields,
                    [
                        field("reservedIp", ref("boolean"), "Whether the VM has a reserved IP."),
                        field("endpoints", ref("wholeNumber"), "Number of endpoints.")
                    ])
            ),
            (
                "egress",
                object(
                    "How the VM reaches the internet.", fields: ManifestDecoder.egressFields,
                    [
                        field("via", ref("egressRoute"), required: true, "direct, proxy or firewall."),
                        field("proxy", ref("text"), "Proxy address; required with via: proxy.")
                    ],
                    extra: [
                        (
                            "if",
                            .object([
                                ("required", .array(["via"])),
                                ("properties", .object([("via", .object([("pattern", .string("^\(caseless("proxy"))$"))]))]))
                            ])
                        ),
                        ("then", .object([("required", .array(["proxy"])), ("properties", .object([("proxy", ref("text"))]))]))
                    ])
            ),
            (
                "NetworkSecurityGroup",
                object(
                    "A network security group (observed).", fields: ManifestDecoder.nsgFields,
                    header
                        + identity("NSG", name: "NSG name.") + [
                            field(
                                "rules", .object([("type", "array"), ("items", ref("securityRule"))]),
                                "The rules that exist and that tresor does not own; Azure's default rules need not be written.")
                        ])
            ),
            ("securityRule", object("An NSG security rule.", fields: ManifestDecoder.securityRuleFields, securityRuleFields))
        ]
    }

    /// A closed mapping. `fields` are the decoder's names for it: each must have a schema entry.
    private static func object(
        _ description: String, fields set: FieldSet, _ fields: [Field],
        extra: [(String, JSON)] = []
    ) -> JSON {
        let names = set.names
        let byName = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let ordered = names.compactMap { byName[$0] }
        return .object(
            [
                ("description", .string(description)),
                ("type", "object"),
                (
                    "properties",
                    .object(
                        ordered.map { field in
                            // tresor reads an optional field written as null as absent.
                            let schema: JSON =
                                field.required
                                ? field.schema
                                : .object([("anyOf", .array([field.schema, .object([("type", "null")])]))])
                            return (field.name, described(schema, field.description))
                        })
                ),
                ("required", .array(ordered.filter(\.required).map { .string($0.name) })),
                ("additionalProperties", .bool(false))
            ] + extra)
    }

    private static func described(_ schema: JSON, _ description: String) -> JSON {
        guard case .object(let members) = schema else { return schema }
        return .object([("description", .string(description))] + members)
    }

    private static func ref(_ name: String) -> JSON {
        .object([("$ref", .string("#/$defs/\(name)"))])
    }
}
