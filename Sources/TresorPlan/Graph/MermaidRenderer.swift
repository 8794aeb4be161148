/// Writes a diagram as a Mermaid flowchart, which GitHub and GitLab draw in markdown.
///
/// Labels are always double-quoted, and every character that could end the quotes or start
/// markup is written as a Mermaid entity (`#34;` for `"`): `" # < > & \ ` and the backtick; line
/// breaks become spaces.
/// Lines of a label are joined with `<br>`. Labels wrap at 400 pixels rather than Mermaid's
/// 200, which would break "Daily 20:30 India Standard Time" and most vault-to-vault moves.
package enum MermaidRenderer {
    /// `comments` become `%%` lines after the configuration; `groupsInRow` lays the top-level
    /// groups out left to right in their order, with invisible links (`~~~`) between them.
    package static func render(_ diagram: Diagram, comments: [String] = [], groupsInRow: Bool = false) -> String {
        var output = "---\nconfig:\n  flowchart:\n    wrappingWidth: 400\n---\n"
        for comment in comments { output += "%% \(escape(comment))\n" }
        output += "flowchart LR\n"
        for group in diagram.groups { write(group, depth: 1, into: &output) }
        var blocked: [Int] = []
        for (index, edge) in diagram.edges.enumerated() {
            let arrow: String
            switch edge.line {
            case .solid: arrow = "-->"
            case .dotted: arrow = "-.->"
            case .blocked:
                arrow = "==>"
                blocked.append(index)
            }
            let label = edge.label.map { "|\"\(escape($0))\"|" } ?? ""
            output += "  \(edge.from) \(arrow)\(label) \(edge.to)\n"
        }
        for style in diagram.stylesUsed {
            let look = style.look
            var definition = "fill:\(look.fill),stroke:\(look.stroke),color:\(look.text),stroke-width:\(look.width)px"
            if look.bold { definition += ",font-weight:bold" }
            if look.dashed { definition += ",stroke-dasharray:5 3" }
            output += "  classDef \(style.rawValue) \(definition)\n"
        }
        if groupsInRow, diagram.groups.count > 1 {
            output += "  " + diagram.groups.map(\.id).joined(separator: " ~~~ ") + "\n"
        }
        if !blocked.isEmpty {
            output += "  linkStyle \(blocked.map(String.init).joined(separator: ",")) stroke:#c0262d,stroke-width:3px\n"
        }
        return output
    }

    private static func write(_ group: Diagram.Group, depth: Int, into output: inout String) {
        let indent = String(repeating: "  ", count: depth)
        output += "\(indent)subgraph \(group.id) [\"\(escape(group.label))\"]\n"
        for child in group.groups { write(child, depth: depth + 1, into: &output) }
        for node in group.nodes { output += indent + "  " + declaration(node) + "\n" }
        output += "\(indent)end\n"
    }

    private static func declaration(_ node: Diagram.Node) -> String {
        let label = "\"" + node.lines.map(escape).joined(separator: "<br>") + "\""
        let shaped: String
        switch node.shape {
        case .box: shaped = "[\(label)]"
        case .rounded: shaped = "(\(label))"
        case .cylinder: shaped = "[(\(label))]"
        case .hexagon: shaped = "{{\(label)}}"
        case .stadium: shaped = "([\(label)])"
        }
        return "\(node.id)\(shaped):::\(node.style.rawValue)"
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\"": escaped += "#34;"
            case "#": escaped += "#35;"
            case "&": escaped += "#38;"
            case "<": escaped += "#60;"
            case ">": escaped += "#62;"
            case "`": escaped += "#96;"
            // Mermaid reads "\n" in a label as a line break.
            case "\\": escaped += "#92;"
            case "\n", "\r", "\r\n", "\t": escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
