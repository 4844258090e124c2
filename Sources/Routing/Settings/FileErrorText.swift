import FoundationEssentials

/// Readable text for file-system errors. FoundationEssentials (all the gateway links) has no
/// `localizedDescription`, and a `CocoaError`'s own description is a dump of its user-info dictionary.
public enum FileErrorText {
    /// "no such file or directory", "permission denied", … — what a user needs to fix a path or its mode.
    public static func describe(_ error: any Error) -> String {
        if let posix = error as? POSIXError { return describe(code: posix.code) }
        guard let cocoa = error as? CocoaError else { return "\(error)" }
        if let posix = cocoa.underlying as? POSIXError { return describe(code: posix.code) }
        switch cocoa.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on device"
        case .fileWriteVolumeReadOnly: return "read-only file system"
        case .fileWriteFileExists: return "file exists"
        case .fileReadTooLarge: return "file too large"
        case .fileReadCorruptFile, .fileReadInapplicableStringEncoding: return "not readable as text"
        default: return "file error \(cocoa.code.rawValue)"
        }
    }

    static func describe(code: POSIXError.Code) -> String {
        switch code {
        case .ENOENT: return "no such file or directory"
        case .EACCES, .EPERM: return "permission denied"
        case .EISDIR: return "is a directory"
        case .ENOTDIR: return "a path component is not a directory"
        case .ENOSPC: return "no space left on device"
        case .EROFS: return "read-only file system"
        case .EEXIST: return "file exists"
        case .ELOOP: return "too many symbolic links"
        case .ENAMETOOLONG: return "file name too long"
        case .EIO: return "input/output error"
        case .EMFILE, .ENFILE: return "too many open files"
        default: return "\(code)"
        }
    }
}
