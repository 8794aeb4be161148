import TresorModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finding and reading the manifest files named on the command line.
public enum ManifestInputs {
    /// The files under `paths`: files as given, directories searched recursively for `*.yaml`
    /// and `*.yml` (hidden entries and `tresor.yaml`, the rule configuration, skipped), in a
    /// stable order. Each directory is searched once and each file read once, known by device
    /// and inode: a symbolic link back into a folder being searched (`ln -s . loop`) is not
    /// followed again, and a file reached by two paths is listed by the first. Paths that do
    /// not exist are reported as TR000.
    public static func collect(_ paths: [String]) -> (files: [String], diagnostics: [Diagnostic]) {
        var files: [String] = []
        var diagnostics: [Diagnostic] = []
        var visited = Set<FileIdentity>()
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 else {
                diagnostics.append(InputFileRule.diagnostic("cannot read \"\(path)\": \(errorText())", at: nil))
                continue
            }
            guard visited.insert(FileIdentity(info)).inserted else { continue }  // under a path searched already
            if info.st_mode & S_IFMT == S_IFDIR {
                let count = files.count
                walk(path, into: &files, visited: &visited)
                if files.count == count {
                    diagnostics.append(InputFileRule.diagnostic("no *.yaml or *.yml manifests under \"\(path)\"", at: nil))
                }
            } else {
                files.append(path)
            }
        }
        return (files, diagnostics)
    }

    /// A file or directory, however many paths lead to it.
    private struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64

        init(_ info: stat) {
            device = UInt64(truncatingIfNeeded: info.st_dev)
            inode = UInt64(truncatingIfNeeded: info.st_ino)
        }
    }

    private static func walk(_ directory: String, into files: inout [String], visited: inout Set<FileIdentity>) {
        guard let handle = opendir(directory) else { return }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        // Closed before descending, so that the depth of a tree never runs out of descriptors.
        closedir(handle)
        for name in names.sorted() {
            let path = directory == "." ? name : directory.hasSuffix("/") ? directory + name : "\(directory)/\(name)"
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                if visited.insert(FileIdentity(info)).inserted { walk(path, into: &files, visited: &visited) }
            } else if isManifestName(name), name != "tresor.yaml", visited.insert(FileIdentity(info)).inserted {
                files.append(path)
            }
        }
    }

    package static func isManifestName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".yaml") || lower.hasSuffix(".yml")
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
