/// A PyTorch checkpoint (`torch.save` zip archive) could not be read. The zip container is checked
/// by libzip, the pickle by Graft's restricted unpickler (which builds data only and names any
/// global it refuses), and every tensor view against its storage.
public struct PyTorchError: Error, Equatable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// The file is missing, unreadable or not a regular file; carries `strerror(errno)`.
    case cannotOpen(String)
    /// The pre-1.6 format (`_use_new_zipfile_serialization=False`): a stream of pickles that
    /// starts with torch's magic number instead of a zip archive.
    case legacyFormat
    /// A TorchScript archive (`torch.jit.save`): it holds code (`code/`, `constants.pkl`), not a
    /// state dict.
    case torchScriptArchive
    /// libzip could not open the file as a zip archive; carries its message.
    case invalidZipArchive(String)
    /// A required entry is missing: `<prefix>/data.pkl`, or the storage `<prefix>/data/<key>`.
    case missingEntry(String)
    /// libzip could not read an entry (CRC mismatch, cut short, unknown compression, encrypted);
    /// carries the entry and libzip's message.
    case unreadableEntry(entry: String, message: String)
    /// An entry is larger than the reader accepts (`data.pkl` over 64 MiB, `byteorder` over
    /// 64 bytes).
    case entryTooLarge(entry: String, size: Int, limit: Int)
    /// `byteorder` holds something other than `little` or `big`.
    case invalidByteOrder(String)
    /// The pickle names a global outside the allowed set (see `PickleGlobal`). Nothing is ever
    /// executed: the name is only compared with the allowed ones.
    case refusedGlobal(String)
    /// The pickle uses an opcode the restricted unpickler does not implement.
    case unsupportedOpcode(opcode: UInt8, offset: Int)
    /// The pickle is malformed (truncated, stack underflow, wrong argument types, …) or uses an
    /// allowed callable in a way torch never does; carries the byte offset in `data.pkl`.
    case malformedPickle(offset: Int, message: String)
    /// The pickle exceeds one of the unpickler's bounds (stack, marks, memo, values).
    case pickleLimit(offset: Int, message: String)
    /// The unpickled object is not a dict; carries what it is.
    case notAStateDict(found: String)
    /// A tensor's storage type has no Float32 conversion (complex, quantized).
    case unsupportedDType(tensor: String, storageType: String)
    /// Two references to one storage disagree on its type or element count.
    case conflictingStorage(String)
    /// A storage entry's size differs from the pickle's element count × element size.
    case storageSizeMismatch(storage: String, expectedBytes: Int, actualBytes: Int)
    /// A tensor's offset, size or stride is negative, its rank too large, or its extent
    /// overflows `Int`.
    case invalidTensor(tensor: String, message: String)
    /// A tensor's view reaches past the end of its storage: its last element is at `lastElement`.
    case viewOutOfBounds(tensor: String, storage: String, lastElement: Int, storageElements: Int)

    public var description: String {
      switch self {
      case .cannotOpen(let m): "cannot open: \(m)"
      case .legacyFormat:
        "legacy (pre-1.6) torch.save format, which is a raw pickle stream; re-save it with PyTorch >= 1.6: "
          + "torch.save(torch.load(path), path, _use_new_zipfile_serialization=True)"
      case .torchScriptArchive:
        "TorchScript archive (torch.jit.save): it holds code, not a state dict; save its weights with "
          + "torch.save(torch.jit.load(path).state_dict(), out)"
      case .invalidZipArchive(let m): "not a readable zip archive (torch.save >= 1.6 writes one): \(m)"
      case .missingEntry(let e): "archive has no entry '\(e)'"
      case .unreadableEntry(let e, let m): "entry '\(e)': \(m)"
      case .entryTooLarge(let e, let size, let limit): "entry '\(e)' has \(size) bytes, more than the \(limit) accepted"
      case .invalidByteOrder(let b): "byteorder is '\(b)', expected 'little' or 'big'"
      case .refusedGlobal(let g):
        "refused global \(g): only tensors and plain containers are loaded (nothing from the file is executed)"
      case .unsupportedOpcode(let op, let offset):
        "pickle opcode 0x\(String(op, radix: 16)) at byte \(offset) is not supported by the restricted unpickler"
      case .malformedPickle(let offset, let m): "malformed pickle at byte \(offset): \(m)"
      case .pickleLimit(let offset, let m): "pickle too large at byte \(offset): \(m)"
      case .notAStateDict(let found): "holds \(found), not a dict of tensors"
      case .unsupportedDType(let t, let s): "tensor '\(t)': storage type \(s) cannot be converted to float32"
      case .conflictingStorage(let key): "storage '\(key)' is referenced with different types or sizes"
      case .storageSizeMismatch(let s, let expected, let actual):
        "storage '\(s)' has \(actual) bytes, the pickle describes \(expected)"
      case .invalidTensor(let t, let m): "tensor '\(t)': \(m)"
      case .viewOutOfBounds(let t, let s, let last, let count):
        "tensor '\(t)' reaches element \(last) of storage '\(s)', which has \(count) elements"
      }
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}

/// A reason to stop reading, thrown inside the reader (unpickler, selection, rebuild) before the
/// path is attached.
struct PyTorchFailure: Error, Equatable {
  let reason: PyTorchError.Reason
}
