/// The only globals a checkpoint's pickle may name, and what "calling" each one builds.
///
/// The set is the part of `torch.load(weights_only=True)`'s allow-list (`_get_allowed_globals` in
/// `torch/_weights_only_unpickler.py`) that `torch.save` emits for state dicts and their plain
/// metadata: the tensor and parameter rebuild functions, the storage classes, `OrderedDict`, and
/// the three builtins pickle protocol 2 uses for bytes and sets. Every other name (`os.system`,
/// `builtins.eval`, a model class, `torch.device`) is refused before anything else happens, and
/// nothing here runs code: each case is a constructor of data, applied by Swift.
enum PickleGlobal: Hashable {
  /// `collections.OrderedDict`.
  case orderedDict
  /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`.
  case rebuildTensorV2
  /// `torch._utils._rebuild_parameter(data, requires_grad, hooks)`.
  case rebuildParameter
  /// `torch._utils._rebuild_parameter_with_state(data, requires_grad, hooks, state)`.
  case rebuildParameterWithState
  /// `torch.FloatStorage` and the other storage classes, `torch.UntypedStorage`: only ever the
  /// type inside a persistent id, never called.
  case storageType(PyTorchStorageType)
  /// `_codecs.encode(str, 'latin1')`: how protocol 2 pickles `bytes`.
  case codecsEncode
  /// `builtins.set(list)`.
  case set
  /// `builtins.bytearray(str, 'latin-1')` or `bytearray(bytes)`.
  case bytearray

  /// The allowed global `module.name`, or nil. Python 2 module names (`__builtin__`, as protocol 2
  /// writes `builtins`) are mapped as Python's unpickler maps them.
  static func resolve(module: String, name: String) -> PickleGlobal? {
    switch (python3Module(module), name) {
    case ("collections", "OrderedDict"): .orderedDict
    case ("torch._utils", "_rebuild_tensor_v2"): .rebuildTensorV2
    case ("torch._utils", "_rebuild_parameter"): .rebuildParameter
    case ("torch._utils", "_rebuild_parameter_with_state"): .rebuildParameterWithState
    case ("torch", _), ("torch.storage", "UntypedStorage"):
      PyTorchStorageType.named(name).map { .storageType($0) }
    case ("_codecs", "encode"): .codecsEncode
    case ("builtins", "set"): .set
    case ("builtins", "bytearray"): .bytearray
    default: nil
    }
  }

  /// `module.name` as a refusal names it (Python 3 module names).
  static func qualifiedName(module: String, name: String) -> String {
    "\(python3Module(module)).\(name)"
  }

  private static func python3Module(_ module: String) -> String {
    switch module {
    case "__builtin__", "exceptions": "builtins"
    case "copy_reg": "copyreg"
    default: module
    }
  }

  var qualifiedName: String {
    switch self {
    case .orderedDict: "collections.OrderedDict"
    case .rebuildTensorV2: "torch._utils._rebuild_tensor_v2"
    case .rebuildParameter: "torch._utils._rebuild_parameter"
    case .rebuildParameterWithState: "torch._utils._rebuild_parameter_with_state"
    case .storageType(let t): "torch.\(t.className)"
    case .codecsEncode: "_codecs.encode"
    case .set: "builtins.set"
    case .bytearray: "builtins.bytearray"
    }
  }

  /// A call the unpickler cannot apply; the message says why (the machine adds the offset).
  struct CallError: Error {
    let message: String
  }

  /// What `REDUCE` builds: the result of calling this global with `args`, done in Swift.
  func call(_ args: [PickleValue], heap: inout PickleHeap) throws(CallError) -> PickleValue {
    switch self {
    case .orderedDict:
      guard args.isEmpty else { throw CallError(message: "collections.OrderedDict called with arguments") }
      heap.dicts.append(PickleDict())
      return .dict(heap.dicts.count - 1)
    case .rebuildTensorV2:
      return try rebuildTensor(args, heap: &heap)
    case .rebuildParameter, .rebuildParameterWithState:
      let arity = self == .rebuildParameter ? 3 : 4
      guard args.count == arity, case .tensor = args[0], case .bool = args[1] else {
        throw CallError(message: "\(qualifiedName) expects (tensor, bool, hooks\(arity == 4 ? ", state" : ""))")
      }
      return args[0]
    case .storageType:
      throw CallError(message: "\(qualifiedName) is only allowed inside a persistent id")
    case .codecsEncode:
      guard args.count == 2, case .string(let text) = args[0], case .string(let encoding) = args[1],
        encoding == "latin1" || encoding == "latin-1"
      else { throw CallError(message: "_codecs.encode expects (str, 'latin1')") }
      return .bytes(try Self.latin1(text))
    case .bytearray:
      switch (args.count, args.first, args.last) {
      case (0, _, _): return .bytes([])
      case (1, .bytes(let b)?, _): return .bytes(b)
      case (2, .string(let text)?, .string(let encoding)?) where encoding == "latin1" || encoding == "latin-1":
        return .bytes(try Self.latin1(text))
      default: throw CallError(message: "builtins.bytearray expects (), (bytes) or (str, 'latin-1')")
      }
    case .set:
      let items: [PickleValue]
      switch (args.count, args.first) {
      case (0, _): items = []
      case (1, .list(let i)?), (1, .set(let i)?): items = heap.lists[i]
      case (1, .tuple(let i)?): items = heap.tuples[i]
      default: throw CallError(message: "builtins.set expects () or (list)")
      }
      heap.lists.append(items)
      return .set(heap.lists.count - 1)
    }
  }

  /// What `NEWOBJ` builds: `cls.__new__(cls, *args)`, an empty container (`__new__` of dict and
  /// set ignores its arguments).
  func new(heap: inout PickleHeap) throws(CallError) -> PickleValue {
    switch self {
    case .orderedDict:
      heap.dicts.append(PickleDict())
      return .dict(heap.dicts.count - 1)
    case .set:
      heap.lists.append([])
      return .set(heap.lists.count - 1)
    default:
      throw CallError(message: "\(qualifiedName) is not a class the unpickler creates")
    }
  }

  private func rebuildTensor(_ args: [PickleValue], heap: inout PickleHeap) throws(CallError) -> PickleValue {
    let usage = "torch._utils._rebuild_tensor_v2 expects (storage, int, tuple of ints, tuple of ints, bool, hooks[, dict])"
    guard args.count == 6 || args.count == 7, case .storage(let storage) = args[0], case .int(let offset) = args[1],
      case .tuple(let sizeIndex) = args[2], case .tuple(let strideIndex) = args[3], case .bool = args[4]
    else { throw CallError(message: usage) }
    func ints(_ values: [PickleValue]) throws(CallError) -> [Int] {
      var result: [Int] = []
      result.reserveCapacity(values.count)
      for value in values {
        guard case .int(let i) = value else { throw CallError(message: usage) }
        result.append(i)
      }
      return result
    }
    let size = try ints(heap.tuples[sizeIndex]), stride = try ints(heap.tuples[strideIndex])
    guard size.count == stride.count else {
      throw CallError(message: "tensor size \(size) and stride \(stride) have different lengths")
    }
    var negated = false
    if args.count == 7 {
      switch args[6] {
      case .none: break
      case .dict(let d): negated = heap.dicts[d][string: "neg"] == .bool(true)
      default: throw CallError(message: usage)
      }
    }
    heap.tensors.append(TensorReference(storage: storage, offset: offset, size: size, stride: stride, negated: negated))
    return .tensor(heap.tensors.count - 1)
  }

  private static func latin1(_ text: String) throws(CallError) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.unicodeScalars.count)
    for scalar in text.unicodeScalars {
      guard scalar.value <= 0xFF else { throw CallError(message: "a latin-1 string holds U+\(String(scalar.value, radix: 16))") }
      bytes.append(UInt8(scalar.value))
    }
    return bytes
  }
}
