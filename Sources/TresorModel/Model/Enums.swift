public enum Replication: String, ManifestEnum { case GRS, LRS }

public enum ScheduleFrequency: String, ManifestEnum { case Daily, Weekly }

public enum Weekday: String, ManifestEnum {
    case Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, Saturday
}

public enum WeekOfMonth: String, ManifestEnum { case First, Second, Third, Fourth, Last }

public enum Month: String, ManifestEnum {
    case January, February, March, April, May, June, July, August, September, October, November, December
}

public enum RuleDirection: String, ManifestEnum { case Inbound, Outbound }

public enum RuleAccess: String, ManifestEnum { case Allow, Deny }

public enum OSType: String, ManifestEnum { case Windows, Linux }

public enum DeploymentModel: String, ManifestEnum { case ResourceManager, Classic }

public enum PowerState: String, ManifestEnum { case running, stopped, deallocated }

public enum EgressRoute: String, ManifestEnum { case direct, proxy, firewall }

/// A day of the month in monthly and yearly retention: 1–28 or the last day.
public enum DayOfMonth: Hashable, Sendable, CustomStringConvertible {
    case day(Int)
    case last

    public init?(manifestText text: String) {
        if text.lowercased() == "last" {
            self = .last
        } else if let day = Int(text), (1...28).contains(day) {
            self = .day(day)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .day(let day): String(day)
        case .last: "Last"
        }
    }
}
