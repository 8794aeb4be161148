/// tresor's version, for `--version` and for the tool entry of SARIF logs.
public enum TresorVersion {
    public static let current = "0.1.0"
}
