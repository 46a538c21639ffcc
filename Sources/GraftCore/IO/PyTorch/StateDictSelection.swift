/// Finds the state dict in an unpickled checkpoint and splits its entries into tensors and the rest,
/// as `Tools/convert_torchvision.py` reads checkpoints:
///
/// - a top-level dict holding a dict under `state_dict` (else under `model`) is a training
///   checkpoint: that dict is the state dict, and the other top-level entries (`epoch`,
///   `optimizer`, …) are listed as skipped;
/// - when every key of the state dict starts with `module.` (`DataParallel`), the prefix is
///   stripped from all of them;
/// - values that are not tensors (ints, strings, nested metadata) and entries whose key is not a
///   string are listed as skipped, not errors.
struct StateDictSelection: Equatable {
  struct Item: Equatable {
    let name: String
    /// Index into `PickleHeap.tensors`.
    let tensor: Int
  }

  var items: [Item] = []
  var skipped: [PyTorchCheckpoint.SkippedEntry] = []
  var unwrappedKey: String?
  var strippedModulePrefix = false

  init(root: PickleValue, heap: PickleHeap) throws(PyTorchFailure) {
    guard case .dict(let top) = root else {
      throw PyTorchFailure(reason: .notAStateDict(found: heap.describe(root)))
    }
    var chosen = top
    for key in ["state_dict", "model"] {
      if case .dict(let inner)? = heap.dicts[top][string: key] {
        chosen = inner
        unwrappedKey = key
        break
      }
    }
    let dict = heap.dicts[chosen]
    let prefix = "module."
    let stripping = dict.count > 0 && dict.keys.allSatisfy { key in
      if case .string(let s) = key { s.hasPrefix(prefix) } else { false }
    }
    strippedModulePrefix = stripping
    for (key, value) in zip(dict.keys, dict.values) {
      guard case .string(let rawName) = key else {
        skipped.append(.init(name: heap.describe(key), kind: heap.describe(value)))
        continue
      }
      let name = stripping ? String(rawName.dropFirst(prefix.count)) : rawName
      if case .tensor(let t) = value {
        items.append(Item(name: name, tensor: t))
      } else {
        skipped.append(.init(name: name, kind: heap.describe(value)))
      }
    }
    if let unwrappedKey {
      for (key, value) in zip(heap.dicts[top].keys, heap.dicts[top].values) where key != .string(unwrappedKey) {
        let name = if case .string(let s) = key { s } else { heap.describe(key) }
        skipped.append(.init(name: name, kind: heap.describe(value)))
      }
    }
  }
}
