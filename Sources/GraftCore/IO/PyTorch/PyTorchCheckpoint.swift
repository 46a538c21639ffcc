/// The tensors of a PyTorch checkpoint (a `torch.save` file: `.pt`, `.pth`, `.bin`), widened to
/// `Float32`, in state-dict order, with each tensor's original dtype.
///
/// ```swift
/// let checkpoint = try PyTorchCheckpoint.read("resnet18.pth")
/// try model.load(checkpoint.tensors)
/// for entry in checkpoint.entries { print(entry.name, entry.dtype, entry.shape) }
/// ```
public struct PyTorchCheckpoint {
  public struct Entry {
    /// The state-dict key (with a `DataParallel` `module.` prefix stripped).
    public let name: String
    /// The element type in the file; `tensor` holds the values as `Float32`.
    public let dtype: PyTorchDType
    public let tensor: Tensor

    public var shape: [Int] { tensor.shape }
  }

  /// A state-dict entry that is not a tensor (an int, a string, nested metadata), or an entry of
  /// a training checkpoint beside its state dict (`epoch`, `optimizer`).
  public struct SkippedEntry: Equatable, Sendable {
    public let name: String
    /// What the value is (`int 3`, `str 'resnet'`, `dict of 2 entries`).
    public let kind: String
  }

  /// Every tensor, in the state dict's order.
  public let entries: [Entry]
  /// Every tensor by name. Views of one storage are separate tensors.
  public let tensors: [String: Tensor]
  /// What was not loaded, in the file's order.
  public let skipped: [SkippedEntry]
  /// `state_dict` or `model` when the file is a training checkpoint that holds the state dict
  /// under that key; nil when the file is the state dict itself.
  public let unwrappedKey: String?
  /// Whether every key started with `module.` (a `DataParallel` model) and lost it.
  public let strippedModulePrefix: Bool

  /// Tensor names, in the state dict's order.
  public var names: [String] { entries.map(\.name) }

  public subscript(name: String) -> Tensor? { tensors[name] }

  /// Reads the checkpoint at `path`.
  ///
  /// The zip container is read through libzip (stored or deflated entries, CRC-checked);
  /// `data.pkl` through a restricted unpickler that only builds tensors and plain containers and
  /// refuses any other global by name (`os.system`, `builtins.eval`, model classes): nothing from
  /// the file is executed. Each tensor's view (offset, size, stride) is checked against its
  /// storage, and each storage is read once, however many tensors view it, so peak memory stays
  /// near the tensors' own size. The legacy (pre-1.6) format and TorchScript archives are refused
  /// with a message saying what to do.
  ///
  /// Stored storages are read without checking their CRC-32, as `torch.load` reads them (the
  /// check costs as much as the read); `verifyingChecksums: true` checks every entry's.
  public static func read(_ path: String, verifyingChecksums: Bool = false) throws(PyTorchError) -> PyTorchCheckpoint {
    do throws(PyTorchFailure) {
      return try load(path, verifyingChecksums: verifyingChecksums)
    } catch {
      throw PyTorchError(path: path, reason: error.reason)
    }
  }

  private static func load(_ path: String, verifyingChecksums: Bool) throws(PyTorchFailure) -> PyTorchCheckpoint {
    let archive = try PyTorchArchive(path: path, verifyingChecksums: verifyingChecksums)
    let (root, heap) = try PickleMachine.unpickle(try archive.pickle())
    let selection = try StateDictSelection(root: root, heap: heap)

    // Check every view before reading any storage; group the tensors by storage, in first use.
    var views: [Int: TensorRebuild.View] = [:]
    var storageOrder: [Int] = []
    var viewsOfStorage: [Int: [Int]] = [:]
    for item in selection.items where views[item.tensor] == nil {
      let tensor = heap.tensors[item.tensor]
      views[item.tensor] = try TensorRebuild.validate(tensor, storage: heap.storages[tensor.storage], name: item.name)
      if viewsOfStorage[tensor.storage] == nil { storageOrder.append(tensor.storage) }
      viewsOfStorage[tensor.storage, default: []].append(item.tensor)
    }

    var built: [Int: Tensor] = [:]
    var directReads: [PyTorchArchive.DirectRead] = []
    for s in storageOrder {
      let users = (viewsOfStorage[s] ?? []).compactMap { t in views[t].map { (t, $0) } }
      for (t, tensor) in try materialize(heap.storages[s], views: users, from: archive, deferring: &directReads) {
        built[t] = tensor
      }
    }
    try archive.read(directReads)

    var entries: [Entry] = []
    var tensors: [String: Tensor] = [:]
    for item in selection.items {
      guard let view = views[item.tensor], let tensor = built[item.tensor] else { continue }
      entries.append(Entry(name: item.name, dtype: view.dtype, tensor: tensor))
      tensors[item.name] = tensor
    }
    return PyTorchCheckpoint(
      entries: entries, tensors: tensors, skipped: selection.skipped, unwrappedKey: selection.unwrappedKey,
      strippedModulePrefix: selection.strippedModulePrefix)
  }

  /// Builds the tensors that view one storage. A float32 storage that is exactly one contiguous
  /// tensor and is stored uncompressed is read straight into that tensor, later, with the other
  /// such reads (`deferring`), which are split across threads; any other storage is read now into
  /// a scratch buffer that is freed before the next one.
  private static func materialize(
    _ storage: StorageReference, views: [(Int, TensorRebuild.View)], from archive: PyTorchArchive,
    deferring directReads: inout [PyTorchArchive.DirectRead]
  ) throws(PyTorchFailure) -> [(Int, Tensor)] {
    guard let dtype = views.first?.1.dtype else { return [] }
    let entry = try archive.entry(for: storage, dtype: dtype)
    let tensors = views.map { (t, view) in (t, Tensor(uninitializedShape: view.size)) }
    #if _endian(little)
    if views.count == 1, let (_, view) = views.first, let (_, tensor) = tensors.first, dtype == .float32,
      !archive.bigEndian, !view.negated, view.offset == 0, view.count == storage.count, view.isContiguous
    {
      if case .file(let offset) = entry.source {
        directReads.append(.init(entry: entry.name, read: .init(offset: offset, count: entry.size, destination: tensor.data)))
      } else {
        try archive.read(entry, into: UnsafeMutableRawBufferPointer(start: tensor.data, count: entry.size))
      }
      return tensors
    }
    #endif
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: entry.size, alignment: Storage.alignment)
    defer { scratch.deallocate() }
    try archive.read(entry, into: scratch)
    guard let base = scratch.baseAddress else { return tensors }  // an empty storage: only empty views
    for ((_, view), (_, tensor)) in zip(views, tensors) {
      TensorRebuild.decode(view, storage: base, bigEndian: archive.bigEndian, into: tensor.data)
    }
    return tensors
  }
}
