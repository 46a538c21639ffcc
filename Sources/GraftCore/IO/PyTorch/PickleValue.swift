/// A value the restricted unpickler built: plain data, an allowed global, or a reference to a
/// storage or tensor description.
///
/// Containers live in a `PickleHeap` and are referred to by index, so values never nest: releasing
/// them never recurses (a pickle of a million nested lists cannot overflow the stack), and a list
/// that contains itself is not a reference cycle.
enum PickleValue: Equatable {
  case none
  case bool(Bool)
  case int(Int)
  /// An integer that does not fit `Int`: its little-endian two's-complement bytes.
  case bigInt([UInt8])
  case float(Double)
  case string(String)
  case bytes([UInt8])
  /// Index into `PickleHeap.lists`.
  case list(Int)
  /// Index into `PickleHeap.tuples`.
  case tuple(Int)
  /// Index into `PickleHeap.dicts` (`dict` and `collections.OrderedDict`).
  case dict(Int)
  /// Index into `PickleHeap.lists` (`set` and `frozenset`).
  case set(Int)
  case global(PickleGlobal)
  /// Index into `PickleHeap.storages`.
  case storage(Int)
  /// Index into `PickleHeap.tensors`.
  case tensor(Int)
}

/// A storage named by a persistent id `('storage', storage_type, key, location, numel)`.
struct StorageReference: Equatable {
  /// The entry `<prefix>/data/<key>` holds its bytes.
  let key: String
  let type: PyTorchStorageType
  /// Elements (bytes for `UntypedStorage`), as the pickle says.
  let count: Int
}

/// A tensor as `torch._utils._rebuild_tensor_v2` describes it: a view of a storage. The numbers
/// are as read from the pickle; `TensorRebuild` validates them.
struct TensorReference: Equatable {
  let storage: Int
  let offset: Int
  let size: [Int]
  let stride: [Int]
  /// The tensor's metadata sets torch's negative bit (`torch._neg_view`): values are negated.
  let negated: Bool
}

/// What a dict entry's key is compared by. Python compares by value and hash; here scalars compare
/// by value (`True == 1` and `1.0 == 1`, as in Python) and tuples, globals, storages and tensors
/// by identity (enough for data: torch's state dicts have string keys).
enum PickleKey: Hashable {
  case none
  case int(Int)
  case bigInt([UInt8])
  case float(UInt64)
  case string(String)
  case bytes([UInt8])
  case tuple(Int)
  case global(PickleGlobal)
  case storage(Int)
  case tensor(Int)

  /// nil for unhashable values (lists, dicts, sets), as Python raises `TypeError` for them.
  init?(_ value: PickleValue) {
    switch value {
    case .none: self = .none
    case .bool(let b): self = .int(b ? 1 : 0)
    case .int(let i): self = .int(i)
    case .bigInt(let b): self = .bigInt(b)
    case .float(let f):
      if let i = Int(exactly: f) { self = .int(i) } else { self = .float(f.isNaN ? Double.nan.bitPattern : f.bitPattern) }
    case .string(let s): self = .string(s)
    case .bytes(let b): self = .bytes(b)
    case .tuple(let t): self = .tuple(t)
    case .global(let g): self = .global(g)
    case .storage(let s): self = .storage(s)
    case .tensor(let t): self = .tensor(t)
    case .list, .dict, .set: return nil
    }
  }
}

/// An insertion-ordered dict; setting an existing key replaces its value in place, as in Python.
struct PickleDict {
  private(set) var keys: [PickleValue] = []
  private(set) var values: [PickleValue] = []
  private var positions: [PickleKey: Int] = [:]

  var count: Int { keys.count }

  /// Sets `key` to `value`; false when the key is unhashable.
  mutating func set(_ key: PickleValue, _ value: PickleValue) -> Bool {
    guard let hashKey = PickleKey(key) else { return false }
    if let i = positions[hashKey] {
      values[i] = value
    } else {
      positions[hashKey] = keys.count
      keys.append(key)
      values.append(value)
    }
    return true
  }

  subscript(string key: String) -> PickleValue? {
    positions[.string(key)].map { values[$0] }
  }
}

/// Every container, storage and tensor description an unpickling built.
struct PickleHeap {
  var lists: [[PickleValue]] = []
  var tuples: [[PickleValue]] = []
  var dicts: [PickleDict] = []
  var storages: [StorageReference] = []
  var tensors: [TensorReference] = []

  /// A short description for messages and skipped entries: the type, and the value of scalars.
  func describe(_ value: PickleValue) -> String {
    switch value {
    case .none: return "None"
    case .bool(let b): return b ? "True" : "False"
    case .int(let i): return "int \(i)"
    case .bigInt(let b): return "int of \(b.count) bytes"
    case .float(let f): return "float \(f)"
    case .string(let s): return s.count <= 40 ? "str '\(s)'" : "str of \(s.count) characters"
    case .bytes(let b): return "bytes of length \(b.count)"
    case .list(let i): return "list of \(lists[i].count) items"
    case .tuple(let i): return "tuple of \(tuples[i].count) items"
    case .dict(let i): return "dict of \(dicts[i].count) entries"
    case .set(let i): return "set of \(lists[i].count) items"
    case .global(let g): return g.qualifiedName
    case .storage(let i): return "storage '\(storages[i].key)'"
    case .tensor: return "tensor"
    }
  }
}
