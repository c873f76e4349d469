/// Which Gavel this is: the one place its version is written.
public enum GavelVersion {
    /// The release number, shown by `gavel --version`.
    public static let number = "0.9.0"

    /// The release number and the build id of this very binary: what Gavel's state files are keyed
    /// on, so that state written by any other build (an upgrade, a local change) is never trusted.
    public static let identity: String = number + "+" + (FileIO.executableBuildID() ?? "unknown-build")
}
