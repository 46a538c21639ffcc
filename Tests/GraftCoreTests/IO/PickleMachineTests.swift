import Foundation
@testable import GraftCore
import Testing

extension IOTests {
  /// The restricted unpickler on hand-written pickles: what it builds, what it refuses and why.
  @Suite struct PickleMachineTests {
    static func run(_ bytes: [UInt8]) throws(PyTorchFailure) -> (root: PickleValue, heap: PickleHeap) {
      try PickleMachine.unpickle([0x80, 0x02] + bytes)
    }

    static func reason(_ bytes: [UInt8]) -> PyTorchError.Reason? {
      do throws(PyTorchFailure) {
        _ = try run(bytes)
        return nil
      } catch {
        return error.reason
      }
    }

    static func text(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// `BINUNICODE s`.
    static func string(_ s: String) -> [UInt8] {
      let utf8 = Array(s.utf8)
      return [0x58] + withUnsafeBytes(of: UInt32(utf8.count).littleEndian, Array.init) + utf8
    }

    static let stop: [UInt8] = [0x2E]

    @Test func buildsScalars() throws {
      func value(_ bytes: [UInt8]) throws -> PickleValue { try Self.run(bytes + Self.stop).root }
      #expect(try value([0x4A, 0xFE, 0xFF, 0xFF, 0xFF]) == .int(-2))  // BININT
      #expect(try value([0x4D, 0x34, 0x12]) == .int(0x1234))  // BININT2
      #expect(try value([0x8A, 0x01, 0xFF]) == .int(-1))  // LONG1
      #expect(try value([0x8A, 0x02, 0x00, 0x80]) == .int(-32768))
      #expect(try value([0x8A, 0x00]) == .int(0))
      #expect(try value([0x8A, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x80]) == .int(Int.min))
      #expect(try value([0x8A, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x80, 0]) == .bigInt([0, 0, 0, 0, 0, 0, 0, 0x80, 0]))
      #expect(try value([0x8B, 0x02, 0, 0, 0, 0xFF, 0x7F]) == .int(0x7FFF))  // LONG4
      #expect(try value([0x47, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0]) == .float(1.5))  // BINFLOAT, big-endian
      #expect(try value(Self.text("I01\n")) == .bool(true))
      #expect(try value(Self.text("I-42\n")) == .int(-42))
      #expect(try value(Self.text("L12345678901L\n")) == .int(12_345_678_901))
      #expect(try value(Self.text("F0.25\n")) == .float(0.25))
      #expect(try value([0x8C, 0x02, 0x68, 0xC3]) == .string("h\u{FFFD}"))  // cut UTF-8 is repaired
      #expect(try value([0x8C, 0x03] + Self.text("hé")) == .string("hé"))  // SHORT_BINUNICODE
      #expect(try value([0x43, 0x02, 0x00, 0xFF]) == .bytes([0, 0xFF]))  // SHORT_BINBYTES
      #expect(try value([0x55, 0x02] + Self.text("ab")) == .string("ab"))  // SHORT_BINSTRING
      #expect(try value([0x88]) == .bool(true))
      #expect(try value([0x4E]) == .none)
    }

    @Test func buildsContainersWithPythonSemantics() throws {
      // {'a': 1, 'b': 2} then SETITEM 'a' = 3: the key keeps its place, the value changes.
      let bytes: [UInt8] = [0x7D, 0x28] + Self.string("a") + [0x4B, 1] + Self.string("b") + [0x4B, 2, 0x75]
        + Self.string("a") + [0x4B, 3, 0x73] + Self.stop
      let (root, heap) = try Self.run(bytes)
      guard case .dict(let d) = root else { Issue.record("not a dict: \(root)"); return }
      #expect(heap.dicts[d].keys == [.string("a"), .string("b")])
      #expect(heap.dicts[d].values == [.int(3), .int(2)])
      // (1, [2, 3], {4})
      let tuple: [UInt8] = [0x28, 0x4B, 1, 0x5D, 0x28, 0x4B, 2, 0x4B, 3, 0x65, 0x8F, 0x28, 0x4B, 4, 0x90, 0x74] + Self.stop
      let (t, h) = try Self.run(tuple)
      guard case .tuple(let i) = t, case .list(let l) = h.tuples[i][1], case .set(let s) = h.tuples[i][2] else {
        Issue.record("not (1, [2, 3], {4}): \(t)")
        return
      }
      #expect(h.tuples[i][0] == .int(1) && h.lists[l] == [.int(2), .int(3)] && h.lists[s] == [.int(4)])
    }

    @Test func memoSharesMutableContainers() throws {
      // l = []; memo[0] = l; l.append(l); return l — a list that holds itself.
      let (root, heap) = try Self.run([0x5D, 0x71, 0x00, 0x68, 0x00, 0x61] + Self.stop)
      #expect(root == .list(0) && heap.lists[0] == [.list(0)])
      // MEMOIZE, text PUT/GET.
      let (r2, _) = try Self.run([0x4B, 7, 0x94, 0x30] + Self.text("g0\n") + Self.stop)
      #expect(r2 == .int(7))
      let (r3, _) = try Self.run([0x4B, 9] + Self.text("p12\n") + [0x30] + Self.text("g12\n") + Self.stop)
      #expect(r3 == .int(9))
    }

    @Test func deeplyNestedListsDoNotRecurse() throws {
      let depth = 200_000
      let bytes = [UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1) + Self.stop
      let (root, heap) = try Self.run(bytes)
      #expect(root == .list(0) && heap.lists.count == depth && heap.lists[0] == [.list(1)])
    }

    @Test func refusesGlobalsOutsideTheAllowList() {
      let global = { (module: String, name: String) in Self.text("c\(module)\n\(name)\n") }
      #expect(Self.reason(global("os", "system")) == .refusedGlobal("os.system"))
      #expect(Self.reason(global("posix", "system")) == .refusedGlobal("posix.system"))
      #expect(Self.reason(global("__builtin__", "eval")) == .refusedGlobal("builtins.eval"))
      #expect(Self.reason(global("torch", "device")) == .refusedGlobal("torch.device"))
      #expect(Self.reason(global("torch.nn.modules.linear", "Linear")) == .refusedGlobal("torch.nn.modules.linear.Linear"))
      #expect(Self.reason(global("collections", "OrderedDict") + [0x29, 0x52] + Self.stop) == nil)
      // STACK_GLOBAL and INST name theirs too.
      #expect(Self.reason(Self.string("subprocess") + Self.string("Popen") + [0x93]) == .refusedGlobal("subprocess.Popen"))
      #expect(Self.reason([0x28] + Self.text("ios\nsystem\n")) == .refusedGlobal("os.system"))
    }

    @Test func callsOnlyAllowedCallablesTheWayTorchDoes() throws {
      let orderedDict = Self.text("ccollections\nOrderedDict\n")
      #expect(Self.reason(orderedDict + [0x28, 0x4B, 1, 0x74, 0x52] + Self.stop)
                == .malformedPickle(offset: 31, message: "collections.OrderedDict called with arguments"))
      #expect(Self.reason([0x4B, 1, 0x29, 0x52]) == .malformedPickle(offset: 5, message: "REDUCE of int 1 with tuple of 0 items"))
      #expect(Self.reason(Self.text("ctorch\nFloatStorage\n") + [0x29, 0x52])
                == .malformedPickle(offset: 23, message: "torch.FloatStorage is only allowed inside a persistent id"))
      #expect(Self.reason([0x4B, 1, 0x7D, 0x62]) == .malformedPickle(offset: 5, message: "BUILD on int 1 is not supported"))
      // NEWOBJ on OrderedDict makes an empty dict.
      #expect(Self.reason(orderedDict + [0x29, 0x81] + Self.stop) == nil)
      // _codecs.encode builds bytes from latin-1 text.
      let encode = Self.text("c_codecs\nencode\n") + Self.string("\u{0}\u{FF}") + Self.string("latin1") + [0x86, 0x52] + Self.stop
      #expect(try Self.run(encode).root == .bytes([0, 0xFF]))
    }

    @Test func persistentIdsOnlyNameStorages() throws {
      func pid(_ key: String, _ type: String, _ count: UInt8) -> [UInt8] {
        [0x28] + Self.string("storage") + Self.text("ctorch\n\(type)\n") + Self.string(key) + Self.string("cpu")
          + [0x4B, count, 0x74, 0x51]
      }
      let (root, heap) = try Self.run(pid("0", "HalfStorage", 6) + Self.stop)
      #expect(root == .storage(0) && heap.storages == [StorageReference(key: "0", type: .dtype(.float16), count: 6)])
      #expect(Self.reason(pid("0", "HalfStorage", 6) + pid("0", "FloatStorage", 6)) == .conflictingStorage("0"))
      #expect(try Self.run(pid("0", "LongStorage", 1) + pid("0", "LongStorage", 1) + Self.stop).heap.storages.count == 1)
      #expect(Self.reason([0x4B, 1, 0x51]) == .malformedPickle(
        offset: 4, message: "persistent id must be ('storage', storage type, key, location, numel)"))
      #expect(Self.reason(Self.text("P0\n")) == .unsupportedOpcode(opcode: 0x50, offset: 2))
    }

    @Test func reportsMalformedPicklesWithTheirOffset() {
      #expect(Self.reason(Self.stop) == .malformedPickle(offset: 2, message: "stack underflow"))
      #expect(Self.reason([0x4B, 1]) == .malformedPickle(offset: 4, message: "pickle ends without STOP"))
      #expect(Self.reason([0x58, 0xFF, 0, 0, 0, 0x61]) == .malformedPickle(
        offset: 2, message: "length 255 runs past the end of the pickle"))
      #expect(Self.reason([0x8D] + [UInt8](repeating: 0xFF, count: 8)) == .malformedPickle(
        offset: 2, message: "length 18446744073709551615 runs past the end of the pickle"))
      #expect(Self.reason([0x68, 3]) == .malformedPickle(offset: 2, message: "memo entry 3 was never stored"))
      #expect(Self.reason([0x74]) == .malformedPickle(offset: 2, message: "no MARK to pop to"))
      #expect(Self.reason([0x28, 0x30, 0x30]) == .malformedPickle(offset: 4, message: "no MARK to pop to"))
      #expect(Self.reason([0x4B, 1, 0x4B, 2, 0x61]) == .malformedPickle(offset: 6, message: "APPEND to int 1"))
      #expect(Self.reason([0x7D, 0x5D, 0x4B, 1, 0x73]) == .malformedPickle(offset: 6, message: "unhashable dict key: list of 0 items"))
      #expect(Self.reason(Self.text("cos")) == .malformedPickle(offset: 2, message: "pickle ends inside a text argument"))
      #expect(Self.reason(Self.text("Ixyz\n")) == .malformedPickle(offset: 2, message: "INT 'xyz' is not a 64-bit integer"))
      #expect(Self.reason([0x95, 0xFF, 0, 0, 0, 0, 0, 0, 0]) == .malformedPickle(
        offset: 2, message: "frame of 255 bytes runs past the end"))
      #expect(PickleMachineTests.reason([]) == .malformedPickle(offset: 2, message: "pickle ends without STOP"))
      #expect((try? PickleMachine.unpickle([0x80, 0x06, 0x4E, 0x2E])) == nil)
    }

    @Test func refusesUnimplementedOpcodes() {
      for op: UInt8 in [0x82, 0x97, 0x98, 0x6F, 0x53, 0x56, 0xFF, 0x00] {  // EXT1, buffers, OBJ, STRING, UNICODE
        #expect(Self.reason([op, 0, 0, 0, 0]) == .unsupportedOpcode(opcode: op, offset: 2), "0x\(String(op, radix: 16))")
      }
    }

    @Test func boundsTheMarkStackTheStackTheMemoAndTheValues() {
      func reason(_ bytes: [UInt8], _ limits: PickleMachine.Limits) -> PyTorchError.Reason? {
        do throws(PyTorchFailure) {
          _ = try PickleMachine.unpickle([0x80, 0x02] + bytes, limits: limits)
          return nil
        } catch {
          return error.reason
        }
      }
      let small = PickleMachine.Limits(stack: 100, marks: 10, memo: 20, values: 1000)
      #expect(reason([UInt8](repeating: 0x28, count: 11), small) == .pickleLimit(offset: 12, message: "more than 10 open MARKs"))
      #expect(reason([0x4E] + [UInt8](repeating: 0x32, count: 100), small) == .pickleLimit(
        offset: 102, message: "more than 100 values on the stack"))
      #expect(reason([0x4E] + (0..<21).flatMap { [0x71, UInt8($0)] } + [0x2E], small) == .pickleLimit(
        offset: 43, message: "more than 20 memo entries"))
      // DUP/POP pairs keep the stack small but build values: the total is bounded too.
      let churn = [0x4E] + [UInt8]((0..<1000).flatMap { _ in [0x32, 0x30] as [UInt8] })
      #expect(reason(churn, small) == .pickleLimit(offset: 2 + 1 + 999 * 2, message: "more than 1000 values"))
      // Rewriting one memo entry does not count again; within the bounds the pickle loads.
      #expect(reason([0x4E] + [UInt8](repeating: 0x32, count: 98) + (0..<50).flatMap { _ in [0x71, 7] } + [0x2E], small) == nil)
      #expect(PickleMachine.Limits.standard.values == 1 << 24 && PickleMachine.Limits.standard.stack == 1 << 20)
    }

    /// The pickle of a real checkpoint with bytes changed at seeded random places: the machine
    /// returns or throws, never crashes, and the selection and view checks accept what it returns
    /// or refuse with a reason.
    @Test func mutatedCheckpointPicklesNeverCrash() throws {
      let zip = try ZipArchive(path: PyTorchFixture.path("plain.pt"))
      let entry = try #require(zip.entries.first { $0.name.hasSuffix("/data.pkl") })
      let valid = try zip.read(entry)
      #expect((try? PickleMachine.unpickle(valid)) != nil)
      var generator = Generator(seed: 7)
      var refused = 0
      for trial in 0..<2000 {
        var bytes = valid
        if trial % 10 == 0 {
          bytes = Array(bytes.prefix(generator.int(below: bytes.count)))
        } else {
          for _ in 0...generator.int(below: 3) {
            bytes[generator.int(below: bytes.count)] = UInt8(truncatingIfNeeded: generator.next())
          }
        }
        do throws(PyTorchFailure) {
          let (root, heap) = try PickleMachine.unpickle(bytes)
          let selection = try StateDictSelection(root: root, heap: heap)
          for item in selection.items {
            let tensor = heap.tensors[item.tensor]
            _ = try TensorRebuild.validate(tensor, storage: heap.storages[tensor.storage], name: item.name)
          }
        } catch {
          refused += 1
        }
      }
      #expect(refused > 500)
    }
  }

  @Suite struct TensorRebuildTests {
    static let storage = StorageReference(key: "0", type: .dtype(.float32), count: 12)

    static func view(_ offset: Int, _ size: [Int], _ stride: [Int]) throws(PyTorchFailure) -> TensorRebuild.View {
      try TensorRebuild.validate(
        TensorReference(storage: 0, offset: offset, size: size, stride: stride, negated: false), storage: storage, name: "t")
    }

    static func reason(_ offset: Int, _ size: [Int], _ stride: [Int]) -> PyTorchError.Reason? {
      do throws(PyTorchFailure) {
        _ = try view(offset, size, stride)
        return nil
      } catch {
        return error.reason
      }
    }

    @Test func acceptsViewsInsideTheStorage() throws {
      #expect(try Self.view(0, [3, 4], [4, 1]).isContiguous)
      #expect(try !Self.view(0, [4, 3], [1, 4]).isContiguous)
      #expect(try Self.view(11, [], []).count == 1)
      #expect(try Self.view(2, [1, 5], [100, 1]).isContiguous)  // a size-1 dimension's stride is moot
      #expect(try Self.view(99, [0, 3], [3, 1]).count == 0)  // empty: no element to check
      #expect(try Self.view(0, [1000, 12], [0, 1]).count == 12_000)  // expanded
    }

    @Test func refusesViewsOutsideTheStorage() {
      #expect(Self.reason(1, [12], [1]) == .viewOutOfBounds(tensor: "t", storage: "0", lastElement: 12, storageElements: 12))
      #expect(Self.reason(0, [4, 4], [4, 1]) == .viewOutOfBounds(tensor: "t", storage: "0", lastElement: 15, storageElements: 12))
      #expect(Self.reason(-1, [1], [1]) == .invalidTensor(tensor: "t", message: "negative offset, size or stride (offset -1, size [1], stride [1])"))
      #expect(Self.reason(0, [2], [Int.max]) == .viewOutOfBounds(tensor: "t", storage: "0", lastElement: .max, storageElements: 12))
      #expect(Self.reason(1, [2], [Int.max]) == .invalidTensor(tensor: "t", message: "offset 1, size [2], stride [9223372036854775807] overflow"))
      #expect(Self.reason(0, [3], [Int.max]) == .invalidTensor(tensor: "t", message: "offset 0, size [3], stride [9223372036854775807] overflow"))
      #expect(Self.reason(0, [1 << 32, 1 << 32], [0, 0]) == .invalidTensor(tensor: "t", message: "size [4294967296, 4294967296] has too many elements"))
      #expect(Self.reason(0, [1 << 25], [0]) == .invalidTensor(
        tensor: "t", message: "a view of 33554432 elements over a storage of 12 (more than 16777216)"))
      #expect(Self.reason(0, [Int](repeating: 1, count: 65), [Int](repeating: 1, count: 65)) == .invalidTensor(
        tensor: "t", message: "65 dimensions, more than 64"))
      let complex = StorageReference(key: "1", type: .unconvertible("ComplexFloatStorage"), count: 2)
      #expect(throws: PyTorchFailure(reason: .unsupportedDType(tensor: "z", storageType: "ComplexFloatStorage"))) {
        try TensorRebuild.validate(TensorReference(storage: 1, offset: 0, size: [1], stride: [1], negated: false),
                                   storage: complex, name: "z")
      }
    }

    @Test func decodesStridedViewsRowMajor() throws {
      let values = (0..<12).map { Float($0) }
      func decode(_ view: TensorRebuild.View, bigEndian: Bool = false) -> [Float] {
        let out = Tensor(uninitializedShape: view.size)
        values.withUnsafeBytes { TensorRebuild.decode(view, storage: $0.baseAddress!, bigEndian: bigEndian, into: out.data) }
        return out.scalars
      }
      #expect(decode(try Self.view(0, [4, 3], [1, 4])) == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
      #expect(decode(try Self.view(1, [2, 2, 2], [6, 1, 3])) == [1, 4, 2, 5, 7, 10, 8, 11])
      #expect(decode(try Self.view(5, [3], [2])) == [5, 7, 9])
      #expect(decode(try Self.view(2, [2, 3], [0, 1])) == [2, 3, 4, 2, 3, 4])
      let negated = try TensorRebuild.validate(
        TensorReference(storage: 0, offset: 1, size: [2], stride: [1], negated: true), storage: Self.storage, name: "n")
      #expect(decode(negated) == [-1, -2])
    }
  }
}
