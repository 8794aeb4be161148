extension RuleCatalog {
    /// Vault, policy and VM rules (TR1xx, TR2xx, TR3xx, TR501).
    static let resourceRules: [any EstateRule.Type] = [
        VaultNameRule.self,
        VaultNameUniqueRule.self,
        RegionRule.self,
        CrossRegionRestoreRule.self,
        LRSReplicationRule.self,
        VaultCapacityRule.self,
        PolicyNameRule.self,
        ScheduleRule.self,
        InstantRestoreRule.self,
        RetentionRangeRule.self,
        RetentionShapeRule.self,
        WeeklyRetentionDaysRule.self,
        TimeZoneRule.self,
        DaylightSavingRule.self,
        PolicyCapacityRule.self,
        VMRegionRule.self,
        SingleVaultRule.self,
        PolicyVaultRule.self,
        VMAgentRule.self,
        OperatingSystemRule.self,
        ClassicVMRule.self,
        PowerStateRule.self,
        UnprotectedVMRule.self
    ]
}
