// Source: Windows time zone IDs (registry keys under
// HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Time Zones, as printed by `tzutil /l`)
// taken from Unicode CLDR common/supplemental/windowsZones.xml, plus the two legacy
// "- Old" zones that Windows still ships but CLDR does not map (Mid-Atlantic Standard Time,
// Kamchatka Standard Time); retrieved 2026.
// Daylight-saving flags follow the IANA tz database rules in force in 2026 for each zone's
// primary ("001") location, which the Windows registry mirrors.

public struct WindowsTimeZone: Sendable, Hashable {
    /// Registry ID, e.g. "W. Europe Standard Time".
    public let id: String
    /// Whether local clocks in this zone change during the year under current (2026) rules.
    public let observesDaylightSaving: Bool

    public init(id: String, observesDaylightSaving: Bool) {
        self.id = id
        self.observesDaylightSaving = observesDaylightSaving
    }
}

public enum WindowsTimeZones {
    /// Every Windows time zone ID, in the order of their UTC offsets (as `tzutil /l` lists them).
    public static let all: [WindowsTimeZone] = [
        // UTC-12:00 … UTC-08:00
        WindowsTimeZone(id: "Dateline Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "UTC-11", observesDaylightSaving: false),
        WindowsTimeZone(id: "Aleutian Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Hawaiian Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Marquesas Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Alaskan Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "UTC-09", observesDaylightSaving: false),
        // Baja California kept US-aligned DST when the rest of Mexico abolished it (2022).
        WindowsTimeZone(id: "Pacific Standard Time (Mexico)", observesDaylightSaving: true),
        WindowsTimeZone(id: "UTC-08", observesDaylightSaving: false),
        WindowsTimeZone(id: "Pacific Standard Time", observesDaylightSaving: true),
        // UTC-07:00
        WindowsTimeZone(id: "US Mountain Standard Time", observesDaylightSaving: false),
        // Mexico abolished DST in October 2022 (Mazatlán, Chihuahua…).
        WindowsTimeZone(id: "Mountain Standard Time (Mexico)", observesDaylightSaving: false),
        WindowsTimeZone(id: "Mountain Standard Time", observesDaylightSaving: true),
        // Yukon moved to permanent UTC-7 in 2020.
        WindowsTimeZone(id: "Yukon Standard Time", observesDaylightSaving: false),
        // UTC-06:00
        WindowsTimeZone(id: "Central America Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Central Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Easter Island Standard Time", observesDaylightSaving: true),
        // Mexico abolished DST in October 2022.
        WindowsTimeZone(id: "Central Standard Time (Mexico)", observesDaylightSaving: false),
        WindowsTimeZone(id: "Canada Central Standard Time", observesDaylightSaving: false),
        // UTC-05:00
        WindowsTimeZone(id: "SA Pacific Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Eastern Standard Time (Mexico)", observesDaylightSaving: false),
        WindowsTimeZone(id: "Eastern Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Haiti Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Cuba Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "US Eastern Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Turks And Caicos Standard Time", observesDaylightSaving: true),
        // UTC-04:00
        // Paraguay adopted permanent UTC-3 in October 2024 (tzdata 2024b).
        WindowsTimeZone(id: "Paraguay Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Atlantic Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Venezuela Standard Time", observesDaylightSaving: false),
        // Brazil abolished DST in 2019.
        WindowsTimeZone(id: "Central Brazilian Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "SA Western Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Pacific SA Standard Time", observesDaylightSaving: true),
        // UTC-03:30 … UTC-01:00
        WindowsTimeZone(id: "Newfoundland Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Tocantins Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "E. South America Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "SA Eastern Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Argentina Standard Time", observesDaylightSaving: false),
        // Greenland (Nuuk) moved to UTC-2 in 2023 and observes DST again from 2024.
        WindowsTimeZone(id: "Greenland Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Montevideo Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Magallanes Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Saint Pierre Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Bahia Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "UTC-02", observesDaylightSaving: false),
        // Legacy "(UTC-02:00) Mid-Atlantic - Old": still in the registry, keeps its DST rule.
        WindowsTimeZone(id: "Mid-Atlantic Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Azores Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Cape Verde Standard Time", observesDaylightSaving: false),
        // UTC±00:00
        WindowsTimeZone(id: "UTC", observesDaylightSaving: false),
        WindowsTimeZone(id: "GMT Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Greenwich Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Sao Tome Standard Time", observesDaylightSaving: false),
        // Morocco: standard time is UTC+1, but clocks go back to UTC+0 every year for Ramadan
        // (tzdata models this as negative DST; the Windows zone carries yearly rules for it).
        // Because local clock time shifts twice a year, a schedule in this zone drifts against
        // UTC just as under classic DST, so it is flagged as observing daylight saving.
        WindowsTimeZone(id: "Morocco Standard Time", observesDaylightSaving: true),
        // UTC+01:00
        WindowsTimeZone(id: "W. Europe Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Central Europe Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Romance Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Central European Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "W. Central Africa Standard Time", observesDaylightSaving: false),
        // UTC+02:00
        // Jordan moved to permanent UTC+3 in October 2022.
        WindowsTimeZone(id: "Jordan Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "GTB Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Middle East Standard Time", observesDaylightSaving: true),
        // Egypt reinstated DST in 2023.
        WindowsTimeZone(id: "Egypt Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "E. Europe Standard Time", observesDaylightSaving: true),
        // Syria moved to permanent UTC+3 in October 2022.
        WindowsTimeZone(id: "Syria Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "West Bank Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "South Africa Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "FLE Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Israel Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "South Sudan Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Kaliningrad Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Sudan Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Libya Standard Time", observesDaylightSaving: false),
        // Namibia has kept UTC+2 all year since 2017.
        WindowsTimeZone(id: "Namibia Standard Time", observesDaylightSaving: false),
        // UTC+03:00 … UTC+03:30
        WindowsTimeZone(id: "Arabic Standard Time", observesDaylightSaving: false),
        // Turkey has kept UTC+3 all year since 2016.
        WindowsTimeZone(id: "Turkey Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Arab Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Belarus Standard Time", observesDaylightSaving: false),
        // Russia abolished DST in 2011/2014: every Russian zone below is false.
        WindowsTimeZone(id: "Russian Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "E. Africa Standard Time", observesDaylightSaving: false),
        // Iran abolished DST in 2022.
        WindowsTimeZone(id: "Iran Standard Time", observesDaylightSaving: false),
        // UTC+04:00 … UTC+04:30
        WindowsTimeZone(id: "Arabian Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Astrakhan Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Azerbaijan Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Russia Time Zone 3", observesDaylightSaving: false),
        WindowsTimeZone(id: "Mauritius Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Saratov Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Georgian Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Volgograd Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Caucasus Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Afghanistan Standard Time", observesDaylightSaving: false),
        // UTC+05:00 … UTC+05:45
        WindowsTimeZone(id: "West Asia Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Ekaterinburg Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Pakistan Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Qyzylorda Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "India Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Sri Lanka Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Nepal Standard Time", observesDaylightSaving: false),
        // UTC+06:00 … UTC+06:30
        WindowsTimeZone(id: "Central Asia Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Bangladesh Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Omsk Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Myanmar Standard Time", observesDaylightSaving: false),
        // UTC+07:00
        WindowsTimeZone(id: "SE Asia Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Altai Standard Time", observesDaylightSaving: false),
        // Mongolia abolished DST in 2017.
        WindowsTimeZone(id: "W. Mongolia Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "North Asia Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "N. Central Asia Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Tomsk Standard Time", observesDaylightSaving: false),
        // UTC+08:00 … UTC+08:45
        WindowsTimeZone(id: "China Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "North Asia East Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Singapore Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "W. Australia Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Taipei Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Ulaanbaatar Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Aus Central W. Standard Time", observesDaylightSaving: false),
        // UTC+09:00 … UTC+09:30
        WindowsTimeZone(id: "Transbaikal Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Tokyo Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "North Korea Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Korea Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Yakutsk Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Cen. Australia Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "AUS Central Standard Time", observesDaylightSaving: false),
        // UTC+10:00 … UTC+10:30
        WindowsTimeZone(id: "E. Australia Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "AUS Eastern Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "West Pacific Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Tasmania Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Vladivostok Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Lord Howe Standard Time", observesDaylightSaving: true),
        // UTC+11:00
        WindowsTimeZone(id: "Bougainville Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Russia Time Zone 10", observesDaylightSaving: false),
        WindowsTimeZone(id: "Magadan Standard Time", observesDaylightSaving: false),
        // Norfolk Island has observed DST (with New South Wales) since 2019.
        WindowsTimeZone(id: "Norfolk Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Sakhalin Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Central Pacific Standard Time", observesDaylightSaving: false),
        // UTC+12:00 … UTC+14:00
        WindowsTimeZone(id: "Russia Time Zone 11", observesDaylightSaving: false),
        WindowsTimeZone(id: "New Zealand Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "UTC+12", observesDaylightSaving: false),
        // Fiji has not observed DST since the 2021/22 season (suspended from 2022 on).
        WindowsTimeZone(id: "Fiji Standard Time", observesDaylightSaving: false),
        // Legacy "(UTC+12:00) Petropavlovsk-Kamchatsky - Old": keeps the pre-2011 Russian DST rule.
        WindowsTimeZone(id: "Kamchatka Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "Chatham Islands Standard Time", observesDaylightSaving: true),
        WindowsTimeZone(id: "UTC+13", observesDaylightSaving: false),
        WindowsTimeZone(id: "Tonga Standard Time", observesDaylightSaving: false),
        // Samoa abolished DST in 2021.
        WindowsTimeZone(id: "Samoa Standard Time", observesDaylightSaving: false),
        WindowsTimeZone(id: "Line Islands Standard Time", observesDaylightSaving: false)
    ]

    private static let byID: [String: WindowsTimeZone] = {
        var map: [String: WindowsTimeZone] = [:]
        for zone in all { map[zone.id] = zone }
        return map
    }()

    private static let byLowercasedID: [String: String] = {
        var map: [String: String] = [:]
        for zone in all { map[zone.id.lowercased()] = zone.id }
        return map
    }()

    /// The zone with exactly this ID (case-sensitive), in O(1).
    public static func zone(withID id: String) -> WindowsTimeZone? {
        byID[id]
    }

    /// The canonical ID matching `input` case-insensitively (surrounding whitespace ignored),
    /// or nil. Fuzzy suggestions are the caller's job.
    public static func nearestIDs(to input: String) -> String? {
        let trimmed = input.drop(while: { $0 == " " || $0 == "\t" })
        let key = String(trimmed.reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
        return byLowercasedID[key.lowercased()]
    }
}
