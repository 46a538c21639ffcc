/// The restricted unpickler for a checkpoint's `data.pkl`: a pickle virtual machine that can only
/// build data.
///
/// It implements the opcodes of pickle protocols 0–2 that carry data (what `torch.save` emits with
/// its default protocol 2) and protocols 3–5's framing, bytes, set and memo opcodes, so files saved
/// with `pickle_protocol=4` load too. Globals resolve only to `PickleGlobal`'s allow-list; any
/// other name is refused when it is read, with the name in the error. `REDUCE`, `NEWOBJ` and
/// `BUILD` apply only to allowed globals and only build values in Swift, and a persistent id can
/// only name a storage. Opcodes that need a class or the extension registry (`INST`, `OBJ`,
/// `EXT*`), out-of-band buffers and protocol 0's quoted strings are not implemented.
///
/// Every read is bounds-checked, and the stack, mark stack, memo and the number of values built
/// are bounded, so hostile or damaged bytes end in a `PyTorchFailure`, never a crash.
struct PickleMachine {
  /// How much one unpickling may build. The standard bounds are far above what a state dict
  /// needs (about 25 values and 10 memo entries per tensor, a stack of a few thousand, marks
  /// nested a few deep) and keep a hostile pickle's memory to a few hundred MB at most.
  struct Limits: Sendable {
    var stack = 1 << 20
    var marks = 1 << 12
    var memo = 1 << 22
    /// Values pushed in all (each costs at most a few dozen bytes).
    var values = 1 << 24

    static let standard = Limits()
  }

  static let maxLine = 1 << 16

  private let bytes: [UInt8]
  private let limits: Limits
  private var position = 0
  /// Offset of the opcode being executed, for messages.
  private var opcodeOffset = 0
  private var stack: [PickleValue] = []
  /// Stack heights at each open MARK.
  private var marks: [Int] = []
  private var memo: [Int: PickleValue] = [:]
  private var valuesBuilt = 0
  private var heap = PickleHeap()
  private var storageByKey: [String: Int] = [:]

  private init(bytes: [UInt8], limits: Limits) {
    self.bytes = bytes
    self.limits = limits
  }

  /// Runs the pickle in `bytes` to its `STOP`; returns the object it built and the heap that
  /// holds its containers, storages and tensors.
  static func unpickle(
    _ bytes: [UInt8], limits: Limits = .standard
  ) throws(PyTorchFailure) -> (root: PickleValue, heap: PickleHeap) {
    var machine = PickleMachine(bytes: bytes, limits: limits)
    let root = try machine.run()
    return (root, machine.heap)
  }

  // MARK: - The loop

  private mutating func run() throws(PyTorchFailure) -> PickleValue {
    while true {
      opcodeOffset = position
      let op = try byte()
      switch op {
      case 0x80:  // PROTO
        let version = try byte()
        guard version <= 5 else { throw malformed("pickle protocol \(version) is newer than 5") }
      case 0x95:  // FRAME: a length prefix only, the frame's opcodes follow inline.
        let length = try unsigned(8)
        guard length <= UInt64(bytes.count - position) else { throw malformed("frame of \(length) bytes runs past the end") }
      case 0x2E:  // STOP
        return try pop()

      case 0x28:  // MARK
        guard marks.count < limits.marks else { throw limit("more than \(limits.marks) open MARKs") }
        marks.append(stack.count)
      case 0x30:  // POP
        if stack.count > base { stack.removeLast() } else { _ = try popMark() }
      case 0x31:  // POP_MARK
        _ = try popMark()
      case 0x32:  // DUP
        try push(try top())

      case 0x4E: try push(.none)  // NONE
      case 0x88: try push(.bool(true))  // NEWTRUE
      case 0x89: try push(.bool(false))  // NEWFALSE
      case 0x4A: try push(.int(Int(Int32(truncatingIfNeeded: try unsigned(4)))))  // BININT
      case 0x4B: try push(.int(Int(try byte())))  // BININT1
      case 0x4D: try push(.int(Int(try unsigned(2))))  // BININT2
      case 0x49:  // INT (text; "00"/"01" are False/True)
        let text = try line()
        if text == "00" || text == "01" {
          try push(.bool(text == "01"))
        } else {
          guard let value = Int(text) else { throw malformed("INT '\(text.prefix(40))' is not a 64-bit integer") }
          try push(.int(value))
        }
      case 0x4C:  // LONG (text, optional trailing L)
        let text = try line()
        guard let value = Int(text.hasSuffix("L") ? String(text.dropLast()) : text) else {
          throw malformed("LONG '\(text.prefix(40))' is not a 64-bit integer")
        }
        try push(.int(value))
      case 0x8A:  // LONG1
        let count = Int(try byte())
        try push(Self.integer(try take(count)))
      case 0x8B:  // LONG4
        let count = Int(Int32(truncatingIfNeeded: try unsigned(4)))
        guard count >= 0 else { throw malformed("LONG4 with negative length") }
        try push(Self.integer(try take(count)))
      case 0x46:  // FLOAT (text)
        let text = try line()
        guard let value = Double(text) else { throw malformed("FLOAT '\(text.prefix(40))' is not a number") }
        try push(.float(value))
      case 0x47:  // BINFLOAT (big-endian)
        var bits: UInt64 = 0
        for b in try take(8) { bits = bits << 8 | UInt64(b) }
        try push(.float(Double(bitPattern: bits)))

      case 0x58: try push(.string(try utf8(try take(try length(4)))))  // BINUNICODE
      case 0x8C: try push(.string(try utf8(try take(try length(1)))))  // SHORT_BINUNICODE
      case 0x8D: try push(.string(try utf8(try take(try length(8)))))  // BINUNICODE8
      case 0x54:  // BINSTRING (a Python 2 str; torch.load decodes it as UTF-8)
        let count = Int(Int32(truncatingIfNeeded: try unsigned(4)))
        guard count >= 0 else { throw malformed("BINSTRING with negative length") }
        try push(.string(try strictUTF8(try take(count))))
      case 0x55: try push(.string(try strictUTF8(try take(try length(1)))))  // SHORT_BINSTRING
      case 0x43: try push(.bytes(Array(try take(try length(1)))))  // SHORT_BINBYTES
      case 0x42: try push(.bytes(Array(try take(try length(4)))))  // BINBYTES
      case 0x8E, 0x96: try push(.bytes(Array(try take(try length(8)))))  // BINBYTES8, BYTEARRAY8

      case 0x29: try push(newTuple([]))  // EMPTY_TUPLE
      case 0x85:  // TUPLE1
        let a = try pop()
        try push(newTuple([a]))
      case 0x86:  // TUPLE2
        let b = try pop(), a = try pop()
        try push(newTuple([a, b]))
      case 0x87:  // TUPLE3
        let c = try pop(), b = try pop(), a = try pop()
        try push(newTuple([a, b, c]))
      case 0x74: try push(newTuple(try popMark()))  // TUPLE

      case 0x5D:  // EMPTY_LIST
        heap.lists.append([])
        try push(.list(heap.lists.count - 1))
      case 0x6C:  // LIST
        let items = try popMark()
        heap.lists.append(items)
        try push(.list(heap.lists.count - 1))
      case 0x61:  // APPEND
        let item = try pop()
        try appendToList([item])
      case 0x65:  // APPENDS
        try appendToList(try popMark())
      case 0x8F:  // EMPTY_SET
        heap.lists.append([])
        try push(.set(heap.lists.count - 1))
      case 0x91:  // FROZENSET
        let items = try popMark()
        heap.lists.append(items)
        try push(.set(heap.lists.count - 1))
      case 0x90:  // ADDITEMS
        let items = try popMark()
        guard case .set(let i) = try top() else { throw malformed("ADDITEMS on \(heap.describe(try top()))") }
        heap.lists[i].append(contentsOf: items)

      case 0x7D:  // EMPTY_DICT
        heap.dicts.append(PickleDict())
        try push(.dict(heap.dicts.count - 1))
      case 0x64:  // DICT
        let items = try popMark()
        heap.dicts.append(PickleDict())
        let d = heap.dicts.count - 1
        try setItems(items, in: d)
        try push(.dict(d))
      case 0x73:  // SETITEM
        let value = try pop(), key = try pop()
        try setItems([key, value], in: try dictOnTop("SETITEM"))
      case 0x75:  // SETITEMS
        let items = try popMark()
        try setItems(items, in: try dictOnTop("SETITEMS"))

      case 0x68: try push(try memoGet(Int(try byte())))  // BINGET
      case 0x6A: try push(try memoGet(Int(try unsigned(4))))  // LONG_BINGET
      case 0x67: try push(try memoGet(try decimalIndex()))  // GET
      case 0x71: try memoPut(Int(try byte()))  // BINPUT
      case 0x72: try memoPut(Int(try unsigned(4)))  // LONG_BINPUT
      case 0x70: try memoPut(try decimalIndex())  // PUT
      case 0x94: try memoPut(memo.count)  // MEMOIZE

      case 0x63:  // GLOBAL
        let module = try line(), name = try line()
        try push(.global(try resolve(module: module, name: name)))
      case 0x93:  // STACK_GLOBAL
        guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
          throw malformed("STACK_GLOBAL expects two strings")
        }
        try push(.global(try resolve(module: module, name: name)))
      case 0x69:  // INST: names a class inline and instantiates it.
        let module = try line(), name = try line()
        _ = try resolve(module: module, name: name)
        throw PyTorchFailure(reason: .unsupportedOpcode(opcode: op, offset: opcodeOffset))

      case 0x52:  // REDUCE
        let args = try pop(), callable = try pop()
        guard case .global(let function) = callable, case .tuple(let a) = args else {
          throw malformed("REDUCE of \(heap.describe(callable)) with \(heap.describe(args))")
        }
        try push(try apply { (heap) throws(PickleGlobal.CallError) in try function.call(heap.tuples[a], heap: &heap) })
      case 0x81:  // NEWOBJ
        let args = try pop(), cls = try pop()
        guard case .global(let type) = cls, case .tuple = args else {
          throw malformed("NEWOBJ of \(heap.describe(cls)) with \(heap.describe(args))")
        }
        try push(try apply { (heap) throws(PickleGlobal.CallError) in try type.new(heap: &heap) })
      case 0x92:  // NEWOBJ_EX
        let kwargs = try pop(), args = try pop(), cls = try pop()
        guard case .global(let type) = cls, case .tuple = args, case .dict = kwargs else {
          throw malformed("NEWOBJ_EX of \(heap.describe(cls)) with \(heap.describe(args))")
        }
        try push(try apply { (heap) throws(PickleGlobal.CallError) in try type.new(heap: &heap) })
      case 0x62:  // BUILD: only the attributes of an OrderedDict (a state dict's `_metadata`), kept out.
        let state = try pop()
        guard case .dict = try top() else { throw malformed("BUILD on \(heap.describe(try top())) is not supported") }
        switch state {
        case .none, .dict, .tuple: break
        default: throw malformed("BUILD of an OrderedDict with \(heap.describe(state))")
        }
      case 0x51:  // BINPERSID
        try push(try persistentStorage(try pop()))

      default:
        throw PyTorchFailure(reason: .unsupportedOpcode(opcode: op, offset: opcodeOffset))
      }
    }
  }

  // MARK: - Stack, marks and memo

  /// The stack height below which the innermost MARK's items end.
  private var base: Int { marks.last ?? 0 }

  private mutating func push(_ value: PickleValue) throws(PyTorchFailure) {
    guard stack.count < limits.stack else { throw limit("more than \(limits.stack) values on the stack") }
    valuesBuilt += 1
    guard valuesBuilt <= limits.values else { throw limit("more than \(limits.values) values") }
    stack.append(value)
  }

  private mutating func pop() throws(PyTorchFailure) -> PickleValue {
    guard stack.count > base else { throw malformed("stack underflow") }
    return stack.removeLast()
  }

  private func top() throws(PyTorchFailure) -> PickleValue {
    guard stack.count > base, let value = stack.last else { throw malformed("stack underflow") }
    return value
  }

  private mutating func popMark() throws(PyTorchFailure) -> [PickleValue] {
    guard let mark = marks.popLast() else { throw malformed("no MARK to pop to") }
    let items = Array(stack[mark...])
    stack.removeSubrange(mark...)
    return items
  }

  private mutating func memoGet(_ index: Int) throws(PyTorchFailure) -> PickleValue {
    guard let value = memo[index] else { throw malformed("memo entry \(index) was never stored") }
    return value
  }

  private mutating func memoPut(_ index: Int) throws(PyTorchFailure) {
    let value = try top()
    if memo[index] == nil {
      guard memo.count < limits.memo else { throw limit("more than \(limits.memo) memo entries") }
    }
    memo[index] = value
  }

  // MARK: - Containers

  private mutating func newTuple(_ items: [PickleValue]) -> PickleValue {
    heap.tuples.append(items)
    return .tuple(heap.tuples.count - 1)
  }

  private mutating func appendToList(_ items: [PickleValue]) throws(PyTorchFailure) {
    let target = try top()
    guard case .list(let i) = target else { throw malformed("APPEND to \(heap.describe(target))") }
    heap.lists[i].append(contentsOf: items)
  }

  private func dictOnTop(_ opcode: String) throws(PyTorchFailure) -> Int {
    let target = try top()
    guard case .dict(let d) = target else { throw malformed("\(opcode) on \(heap.describe(target))") }
    return d
  }

  private mutating func setItems(_ items: [PickleValue], in d: Int) throws(PyTorchFailure) {
    guard items.count % 2 == 0 else { throw malformed("odd number of items for a dict") }
    for i in stride(from: 0, to: items.count, by: 2) {
      guard heap.dicts[d].set(items[i], items[i + 1]) else {
        throw malformed("unhashable dict key: \(heap.describe(items[i]))")
      }
    }
  }

  // MARK: - Globals, calls and persistent ids

  private func resolve(module: String, name: String) throws(PyTorchFailure) -> PickleGlobal {
    guard let global = PickleGlobal.resolve(module: module, name: name) else {
      throw PyTorchFailure(reason: .refusedGlobal(PickleGlobal.qualifiedName(module: module, name: name)))
    }
    return global
  }

  private mutating func apply(
    _ body: (inout PickleHeap) throws(PickleGlobal.CallError) -> PickleValue
  ) throws(PyTorchFailure) -> PickleValue {
    do throws(PickleGlobal.CallError) {
      return try body(&heap)
    } catch {
      throw malformed(error.message)
    }
  }

  /// `('storage', storage_type, key, location, numel)`, as `torch.save`'s `persistent_id` writes it.
  private mutating func persistentStorage(_ pid: PickleValue) throws(PyTorchFailure) -> PickleValue {
    let usage = "persistent id must be ('storage', storage type, key, location, numel)"
    guard case .tuple(let t) = pid, heap.tuples[t].count == 5 else { throw malformed(usage) }
    let fields = heap.tuples[t]
    switch fields[0] {
    case .string("storage"), .bytes(Array("storage".utf8)): break
    default: throw malformed(usage)
    }
    guard case .global(.storageType(let type)) = fields[1], case .string(let key) = fields[2],
      case .string = fields[3], case .int(let count) = fields[4]
    else { throw malformed(usage) }
    guard count >= 0, count <= Int.max / 8 else { throw malformed("storage '\(key)' has \(count) elements") }
    let reference = StorageReference(key: key, type: type, count: count)
    if let existing = storageByKey[key] {
      guard heap.storages[existing] == reference else { throw PyTorchFailure(reason: .conflictingStorage(key)) }
      return .storage(existing)
    }
    heap.storages.append(reference)
    storageByKey[key] = heap.storages.count - 1
    return .storage(heap.storages.count - 1)
  }

  // MARK: - Reading bytes

  private mutating func byte() throws(PyTorchFailure) -> UInt8 {
    guard position < bytes.count else { throw malformed("pickle ends without STOP") }
    defer { position += 1 }
    return bytes[position]
  }

  /// A little-endian unsigned integer of `count` (≤ 8) bytes.
  private mutating func unsigned(_ count: Int) throws(PyTorchFailure) -> UInt64 {
    let raw = try take(count)
    var value: UInt64 = 0
    for (i, b) in raw.enumerated() { value |= UInt64(b) << UInt64(8 * i) }
    return value
  }

  /// A length field of `count` bytes, checked against what is left of the pickle.
  private mutating func length(_ count: Int) throws(PyTorchFailure) -> Int {
    let n = try unsigned(count)
    guard n <= UInt64(bytes.count - position) else { throw malformed("length \(n) runs past the end of the pickle") }
    return Int(n)
  }

  private mutating func take(_ count: Int) throws(PyTorchFailure) -> ArraySlice<UInt8> {
    guard count >= 0, count <= bytes.count - position else { throw malformed("pickle ends inside an argument") }
    defer { position += count }
    return bytes[position..<position + count]
  }

  /// A text argument up to its newline (protocol 0 opcodes and GLOBAL).
  private mutating func line() throws(PyTorchFailure) -> String {
    let end = min(bytes.count, position + Self.maxLine)
    guard let newline = bytes[position..<end].firstIndex(of: 0x0A) else {
      throw malformed(end == bytes.count ? "pickle ends inside a text argument" : "text argument longer than \(Self.maxLine) bytes")
    }
    defer { position = newline + 1 }
    return String(decoding: bytes[position..<newline], as: UTF8.self)
  }

  private mutating func decimalIndex() throws(PyTorchFailure) -> Int {
    let text = try line()
    guard let index = Int(text), index >= 0 else { throw malformed("memo index '\(text.prefix(40))'") }
    return index
  }

  /// Python decodes these with `surrogatepass`; Swift strings cannot hold lone surrogates, so they
  /// (and any invalid byte) become U+FFFD.
  private func utf8(_ raw: ArraySlice<UInt8>) throws(PyTorchFailure) -> String {
    String(decoding: raw, as: UTF8.self)
  }

  private func strictUTF8(_ raw: ArraySlice<UInt8>) throws(PyTorchFailure) -> String {
    guard let text = String(validating: raw, as: UTF8.self) else { throw malformed("byte string is not UTF-8") }
    return text
  }

  /// A little-endian two's-complement integer (LONG1/LONG4).
  private static func integer(_ raw: ArraySlice<UInt8>) -> PickleValue {
    guard raw.count <= 8 else { return .bigInt(Array(raw)) }
    guard let last = raw.last else { return .int(0) }
    var value: UInt64 = last & 0x80 != 0 ? ~0 : 0
    for b in raw.reversed() { value = value << 8 | UInt64(b) }
    return .int(Int(Int64(bitPattern: value)))
  }

  private func malformed(_ message: String) -> PyTorchFailure {
    PyTorchFailure(reason: .malformedPickle(offset: opcodeOffset, message: message))
  }

  private func limit(_ message: String) -> PyTorchFailure {
    PyTorchFailure(reason: .pickleLimit(offset: opcodeOffset, message: message))
  }
}

