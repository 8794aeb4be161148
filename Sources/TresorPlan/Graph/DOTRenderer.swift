/// Writes a diagram in Graphviz DOT: groups become clusters, labels are double-quoted with
/// `\` and `"` escaped, lines are joined with `\n`.
package enum DOTRenderer {
    package static func render(_ diagram: Diagram, title: String) -> String {
        var output = "digraph tresor {\n"
        output +=
            "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=13, nodesep=0.2, ranksep=0.5, label=\(quote(title)), labelloc=t];\n"
        output += "  node [fontname=\"Helvetica\", fontsize=11, margin=\"0.12,0.05\"];\n"
        output += "  edge [color=\"#666666\", arrowsize=0.7];\n"
        for group in diagram.groups { write(group, depth: 1, into: &output) }
        for edge in diagram.edges {
            var attributes: [String] = []
            switch edge.line {
            case .solid: break
            case .dotted: attributes.append("style=dashed")
            case .blocked: attributes += ["color=\"#c0262d\"", "penwidth=2.5"]
            }
            if let label = edge.label {
                attributes += ["label=\(quote(label))", "fontname=\"Helvetica\"", "fontsize=10"]
                if edge.line == .blocked { attributes.append("fontcolor=\"#c0262d\"") }
            }
            output += "  \(edge.from) -> \(edge.to)" + (attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]") + ";\n"
        }
        return output + "}\n"
    }

    private static func write(_ group: Diagram.Group, depth: Int, into output: inout String) {
        let indent = String(repeating: "  ", count: depth)
        output += "\(indent)subgraph cluster_\(group.id) {\n"
        // Outer groups (subscriptions) darker than inner ones (regions).
        let fill = depth == 1 ? "#f4f6f8" : "#ffffff"
        output +=
            "\(indent)  label=\(quote(group.label)); style=\"rounded,filled\"; fillcolor=\"\(fill)\"; color=\"#9aa5b1\"; fontname=\"Helvetica\";\n"
        for child in group.groups { write(child, depth: depth + 1, into: &output) }
        for node in group.nodes { output += indent + "  " + declaration(node) + "\n" }
        output += "\(indent)}\n"
    }

    private static func declaration(_ node: Diagram.Node) -> String {
        let look = node.style.look
        var styles = ["filled"]
        let shape: String
        switch node.shape {
        case .box: shape = "box"
        case .rounded, .stadium:
            shape = "box"
            styles.append("rounded")
        case .cylinder: shape = "cylinder"
        case .hexagon: shape = "hexagon"
        }
        if look.dashed { styles.append("dashed") }
        var attributes = [
            "label=\(quote(node.lines.joined(separator: "\n")))", "shape=\(shape)",
            "style=\"\(styles.joined(separator: ","))\"", "fillcolor=\"\(look.fill)\"", "color=\"\(look.stroke)\"",
            "fontcolor=\"\(look.text)\"", "penwidth=\(look.width)"
        ]
        if look.bold { attributes.append("fontname=\"Helvetica-Bold\"") }
        return "\(node.id) [\(attributes.joined(separator: ", "))];"
    }

    /// A DOT double-quoted string; a newline becomes DOT's centred line break `\n`.
    static func quote(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            switch character {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            case "\n": quoted += "\\n"
            case "\r", "\r\n", "\t": quoted += " "
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}
