/// A diagram independent of its syntax: nested groups of nodes, and edges between nodes. The
/// estate and the plan are built as one, then written as Mermaid or Graphviz DOT.
///
/// Node and group ids are made here, `n0`, `n1`, … and `g0`, `g1`, …: letters and digits only,
/// never a keyword of either syntax (`end`, `graph`, `subgraph`, `node`), and never an `o` or `x`
/// first, which Mermaid would read as an arrow head after `--`. Names stay in labels, which each
/// renderer quotes.
package struct Diagram {
    var groups: [Group] = []
    var edges: [Edge] = []
    private var nextNode = 0
    private var nextGroup = 0

    struct Node {
        var id: String
        /// Lines of text; the first is the name.
        var lines: [String]
        var shape: Shape
        var style: Style
    }

    struct Group {
        var id: String
        var label: String
        var groups: [Group] = []
        var nodes: [Node] = []
    }

    struct Edge {
        var from: String
        var to: String
        var line: Line
        var label: String?
    }

    enum Shape {
        case box, rounded, cylinder, hexagon, stadium
    }

    enum Line {
        case solid, dotted
        /// Bold and red: traffic that a rule denies.
        case blocked
    }

    /// What a node is, which sets its colours: one Mermaid `classDef` and one DOT style each.
    enum Style: String, CaseIterable {
        case vault, policy
        /// A protected VM whose backup traffic reaches storage.
        case protected
        /// A VM no vault protects.
        case unprotected
        /// A protected VM whose backup traffic an NSG certainly denies (TR401, TR405).
        case blocked
        /// A count standing for VMs not listed.
        case count
        case nsgReaches, nsgBlocks, nsgUndetermined
        /// With --state: a resource that state holds and the manifests no longer declare.
        case stateOnly
        /// With --state: a protected item whose protection is stopped, recovery points retained.
        case stopped
        /// Plan changes.
        case create, update, replace, stopProtection, delete
        /// A change that deletes recovery points.
        case destroy

        /// Fill, border, text colour, border width, bold text, dashed border.
        var look: (fill: String, stroke: String, text: String, width: Int, bold: Bool, dashed: Bool) {
            switch self {
            case .vault: ("#dbe9f6", "#1f5f99", "#0b2e4f", 2, true, false)
            case .policy: ("#eef4fb", "#5b8cc0", "#0b2e4f", 1, false, false)
            case .protected: ("#e6f4ea", "#3c8d50", "#12351c", 1, false, false)
            case .unprotected: ("#fff4d6", "#b7791f", "#4a3000", 2, false, true)
            case .blocked: ("#fde2e1", "#c0262d", "#7a1015", 3, true, false)
            case .count: ("#f3f3f3", "#777777", "#222222", 1, false, false)
            case .nsgReaches: ("#e6f4ea", "#3c8d50", "#12351c", 1, false, false)
            case .nsgBlocks: ("#fde2e1", "#c0262d", "#7a1015", 3, true, false)
            case .nsgUndetermined: ("#f3f3f3", "#777777", "#222222", 1, false, true)
            case .stateOnly: ("#eeeeee", "#888888", "#555555", 1, false, true)
            case .stopped: ("#fff4d6", "#b7791f", "#4a3000", 2, false, true)
            case .create: ("#e6f4ea", "#3c8d50", "#12351c", 1, false, false)
            case .update: ("#eef4fb", "#5b8cc0", "#0b2e4f", 1, false, false)
            case .replace: ("#fff0e0", "#d9822b", "#5a3000", 2, true, false)
            case .stopProtection: ("#fff4d6", "#b7791f", "#4a3000", 2, false, true)
            case .delete: ("#fde2e1", "#c0262d", "#7a1015", 2, true, false)
            case .destroy: ("#f8b4b4", "#9b1c1c", "#5c0a0a", 4, true, false)
            }
        }
    }

    mutating func node(_ lines: [String], _ shape: Shape, _ style: Style) -> Node {
        defer { nextNode += 1 }
        return Node(id: "n\(nextNode)", lines: lines, shape: shape, style: style)
    }

    mutating func group(_ label: String) -> Group {
        defer { nextGroup += 1 }
        return Group(id: "g\(nextGroup)", label: label)
    }

    mutating func connect(_ from: Node, _ to: Node, _ line: Line = .solid, label: String? = nil) {
        edges.append(Edge(from: from.id, to: to.id, line: line, label: label))
    }

    /// Every style some node uses, in declaration order: only those get a class definition.
    var stylesUsed: [Style] {
        var used = Set<Style>()
        func visit(_ group: Group) {
            for node in group.nodes { used.insert(node.style) }
            group.groups.forEach(visit)
        }
        groups.forEach(visit)
        return Style.allCases.filter(used.contains)
    }
}
