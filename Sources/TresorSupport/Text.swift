/// Counts and columns in text people read.

/// "1 error", "2 errors"; `plural` for nouns that take more than an "s".
package func plural(_ count: Int, _ noun: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}

/// `1240` as "1,240": counts in labels are read at a glance.
package func grouped(_ count: Int) -> String {
    let digits = String(count.magnitude)
    var text = ""
    for (position, digit) in digits.enumerated() {
        if position > 0, (digits.count - position) % 3 == 0 { text += "," }
        text.append(digit)
    }
    return count < 0 ? "-" + text : text
}

/// "1 VM", "1,240 VMs".
package func counted(_ count: Int, _ noun: String, _ plural: String? = nil) -> String {
    "\(grouped(count)) \(count == 1 ? noun : plural ?? noun + "s")"
}

extension String {
    package func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
