#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// File paths as code-review tools want them: relative to the working directory, which is the
/// repository root in CI, so annotations land on the files of the pull request.
package enum ReportPath {
    /// `path` relative to `directory` when it lies inside it (or is relative already),
    /// normalised ("./a/../b.yaml" → "b.yaml"); nil for an absolute path elsewhere.
    package static func relative(_ path: String, to directory: String) -> String? {
        if path.hasPrefix("/") {
            let absolute = normalized(path)
            let root = normalized(directory)
            if root == "/" { return String(absolute.dropFirst()) }
            guard absolute.hasPrefix(root + "/") else { return nil }
            return String(absolute.dropFirst(root.count + 1))
        }
        return normalized(path)
    }

    /// `path` for messages: relative when it can be, as given otherwise.
    package static func display(_ path: String, from directory: String) -> String {
        relative(path, to: directory) ?? path
    }

    /// Drops "." and empty components and resolves ".." where a component precedes it.
    package static func normalized(_ path: String) -> String {
        var components: [Substring] = []
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                if let last = components.last, last != ".." {
                    components.removeLast()
                } else if !path.hasPrefix("/") {
                    components.append(component)
                }
            default: components.append(component)
            }
        }
        let joined = components.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : joined
    }

    /// The process's working directory.
    package static func currentDirectory() -> String {
        guard let pointer = getcwd(nil, 0) else { return "." }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
