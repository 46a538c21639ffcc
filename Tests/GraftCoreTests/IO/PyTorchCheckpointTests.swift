import Foundation
@testable import GraftCore
import Testing
import _GraftTestSupport

/// Fixtures made by `Tools/fixtures/pytorch_checkpoints.py` (see `Fixtures/pytorch/README.md`).
enum PyTorchFixture {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // IO/
    .deletingLastPathComponent()  // GraftCoreTests/
    .appendingPathComponent("Fixtures/pytorch").path

  static func path(_ name: String) -> String { directory + "/" + name }

  static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(try #require(text).utf8))
  }
}

extension IOTests {
  @Suite struct PyTorchCheckpointTests {
    /// Every checkpoint torch.save wrote, against the tensors torch itself holds for it.
    static let cases = [
      "plain", "ordered_metadata", "dtypes", "half", "bf16", "double", "shared", "strided", "nested",
      "nested_model", "module_prefix", "non_tensor_values", "protocol4", "parameters", "deflate", "big_endian",
    ]

    @Test(arguments: cases, [false, true]) func readsWhatTorchSaved(_ name: String, verifyingChecksums: Bool) throws {
      let checkpoint = try PyTorchCheckpoint.read(PyTorchFixture.path(name + ".pt"), verifyingChecksums: verifyingChecksums)
      let expected = try SafeTensors.read(PyTorchFixture.path(name + ".expected.safetensors"))
      let names = try PyTorchFixture.decodeJSON([String].self, expected.metadata["names"])
      let dtypes = try PyTorchFixture.decodeJSON([String].self, expected.metadata["dtypes"])
      let skipped = try PyTorchFixture.decodeJSON([String].self, expected.metadata["skipped"])
      #expect(checkpoint.names == names)
      #expect(checkpoint.entries.map(\.dtype.rawValue) == dtypes)
      #expect(checkpoint.skipped.map(\.name) == skipped)
      #expect(Set(checkpoint.tensors.keys) == Set(names))
      for entry in checkpoint.entries {
        let torch = try #require(expected[entry.name], "\(entry.name)")
        #expect(entry.shape == torch.shape, "\(name): \(entry.name)")
        #expect(sameBits(entry.tensor.scalars, torch.scalars), "\(name): \(entry.name) \(entry.tensor.scalars) vs \(torch.scalars)")
        #expect(checkpoint[entry.name] === entry.tensor)
      }
    }

    @Test func unwrapsTrainingCheckpointsAndStripsDataParallelPrefixes() throws {
      let nested = try PyTorchCheckpoint.read(PyTorchFixture.path("nested.pt"))
      #expect(nested.unwrappedKey == "state_dict" && !nested.strippedModulePrefix)
      #expect(nested.skipped == [
        .init(name: "epoch", kind: "int 3"), .init(name: "best_acc", kind: "float 0.75"),
        .init(name: "arch", kind: "str 'small'"), .init(name: "note", kind: "None"),
      ])
      let model = try PyTorchCheckpoint.read(PyTorchFixture.path("nested_model.pt"))
      #expect(model.unwrappedKey == "model")
      #expect(model.skipped == [.init(name: "optimizer", kind: "dict of 2 entries"), .init(name: "step", kind: "int 10")])
      let prefixed = try PyTorchCheckpoint.read(PyTorchFixture.path("module_prefix.pt"))
      #expect(prefixed.strippedModulePrefix && prefixed.unwrappedKey == nil)
      #expect(prefixed.names.first == "0.weight")
      #expect(prefixed.skipped == [.init(name: "extra_info", kind: "dict of 1 entries")])
      let plain = try PyTorchCheckpoint.read(PyTorchFixture.path("plain.pt"))
      #expect(!plain.strippedModulePrefix && plain.unwrappedKey == nil && plain.skipped.isEmpty)
      #expect(plain.entries.first { $0.name == "1.num_batches_tracked" }?.dtype == .int64)
    }

    @Test func listsNonTensorValuesByKind() throws {
      let checkpoint = try PyTorchCheckpoint.read(PyTorchFixture.path("non_tensor_values.pt"))
      #expect(checkpoint.skipped.map(\.kind) == [
        "int 12", "int of 9 bytes", "str 'layer'", "bytes of length 2", "tuple of 2 items", "list of 3 items",
        "set of 2 items",
      ])
    }

    @Test func fixturesExerciseWhatTheyClaim() throws {
      // deflate.pt: every entry compressed; shared.pt: five tensors over two storages.
      let deflated = try ZipArchive(path: PyTorchFixture.path("deflate.pt"))
      #expect(deflated.entries.allSatisfy { $0.compressed })
      let shared = try ZipArchive(path: PyTorchFixture.path("shared.pt"))
      #expect(shared.entries.filter { $0.name.contains("/data/") }.count == 2)
      #expect(try ZipArchive(path: PyTorchFixture.path("plain.pt")).entries.allSatisfy { !$0.compressed })
      // Stored storages are read from the file directly, deflated ones through libzip.
      let storage = StorageReference(key: "0", type: .dtype(.float32), count: 54)
      let plain = try PyTorchArchive(path: PyTorchFixture.path("plain.pt"), verifyingChecksums: false)
      guard case .file = try plain.entry(for: storage, dtype: .float32).source else { Issue.record("plain.pt: not direct"); return }
      let checked = try PyTorchArchive(path: PyTorchFixture.path("plain.pt"), verifyingChecksums: true)
      guard case .libzip = try checked.entry(for: storage, dtype: .float32).source else { Issue.record("verifying: not libzip"); return }
      let deflate = try PyTorchArchive(path: PyTorchFixture.path("deflate.pt"), verifyingChecksums: false)
      guard case .libzip = try deflate.entry(for: storage, dtype: .float32).source else { Issue.record("deflate.pt: not libzip"); return }
    }

    /// Reads split across threads by bytes land where they belong, whatever the split: reads
    /// shared by several threads, empty reads, reads out of file order, one thread or several.
    @Test(arguments: [1, 3, 8]) func splitReadsFillEveryDestination(threads: Int) throws {
      var generator = Generator(seed: 3)
      let content = (0..<50_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
      try withTemporaryDirectory { dir in
        try writeFile(content, to: dir + "/data")
        let file = try ReadOnlyFile(path: dir + "/data")
        let spans = [(40_000, 9_999), (0, 7), (7, 0), (123, 20_000), (30_000, 1), (20_123, 9_000), (49_999, 1)]
        let buffers = spans.map { UnsafeMutableRawBufferPointer.allocate(byteCount: max($0.1, 1), alignment: 1) }
        defer { buffers.forEach { $0.deallocate() } }
        let reads = zip(spans, buffers).map { span, buffer in
          ReadOnlyFile.Read(offset: span.0, count: span.1, destination: buffer.baseAddress!)
        }
        let failure = Threads.withCount(threads) { file.read(reads, unitBytes: 1000, unitsPerThread: 2) }
        #expect(failure == nil)
        for ((offset, count), buffer) in zip(spans, buffers) {
          #expect(Array(buffer.prefix(count)) == Array(content[offset..<offset + count]), "\(offset)+\(count)")
        }
        // A read past the end of the file fails with EIO and names itself.
        let past = ReadOnlyFile.Read(offset: 49_990, count: 20, destination: buffers[0].baseAddress!)
        let result = Threads.withCount(threads) { file.read(reads + [past], unitBytes: 1000, unitsPerThread: 2) }
        #expect(result?.0 == reads.count && result?.1 == SystemError(code: EIO))
      }
    }

    /// The own central-directory reader sees every fixture as libzip does.
    @Test func zipDirectoryAgreesWithLibzip() throws {
      let files = try FileManager.default.contentsOfDirectory(atPath: PyTorchFixture.directory).filter { $0.hasSuffix(".pt") && $0 != "legacy.pt" }
      #expect(files.count > 20)
      for name in files {
        let path = PyTorchFixture.path(name)
        let (ours, libzip) = (try ZipDirectory(file: try ReadOnlyFile(path: path)), try ZipArchive(path: path))
        #expect(ours.entries.map(\.name) == libzip.entries.map(\.name), "\(name)")
        #expect(ours.entries.map(\.size) == libzip.entries.map(\.size), "\(name)")
        #expect(ours.entries.map { $0.method != 0 } == libzip.entries.map(\.compressed), "\(name)")
      }
    }

    /// The directory reader alone (libzip normally refuses a damaged archive before it runs) on
    /// seeded random damage to the end of a checkpoint, where its records are: it throws or
    /// returns entries whose data lies inside the file, never crashes.
    @Test func zipDirectoryOnDamagedBytesNeverCrashes() throws {
      let valid = try readFile(PyTorchFixture.path("plain.pt"))
      var generator = Generator(seed: 5)
      var refused = 0
      try withTemporaryDirectory { dir in
        let path = dir + "/damaged.pt"
        for trial in 0..<300 {
          var bytes = valid
          if trial % 10 == 0 { bytes.removeLast(1 + generator.int(below: 200)) }
          for _ in 0...generator.int(below: 4) {
            bytes[bytes.count - 1 - generator.int(below: min(bytes.count, 1200))] = UInt8(truncatingIfNeeded: generator.next())
          }
          try writeFile(bytes, to: path)
          let file = try ReadOnlyFile(path: path)
          do throws(ZipDirectory.Failure) {
            let directory = try ZipDirectory(file: file)
            for entry in directory.entries {
              if let start = try? directory.dataOffset(of: entry, in: file) { #expect(start + entry.compressedSize <= file.size) }
            }
          } catch {
            refused += 1
          }
        }
      }
      #expect(refused > 50)
    }

    @Test func refusesTheLegacyFormatAndTorchScriptWithAdvice() throws {
      let legacy = PyTorchFixture.path("legacy.pt")
      #expect(throws: PyTorchError(path: legacy, reason: .legacyFormat)) { try PyTorchCheckpoint.read(legacy) }
      #expect(PyTorchError.Reason.legacyFormat.description.contains("_use_new_zipfile_serialization=True"))
      let script = PyTorchFixture.path("torchscript.pt")
      #expect(throws: PyTorchError(path: script, reason: .torchScriptArchive)) { try PyTorchCheckpoint.read(script) }
    }

    /// The pickles would run `touch MARKER` under Python's pickle; the reader names the global and
    /// runs nothing.
    @Test(arguments: [("os_system.pt", "posix.system"), ("builtins_eval.pt", "builtins.eval")])
    func refusesCodeExecutionByName(_ file: String, _ global: String) throws {
      let marker = "/tmp/graft-pytorch-fixture-pwned"
      try? FileManager.default.removeItem(atPath: marker)
      let path = PyTorchFixture.path(file)
      #expect(throws: PyTorchError(path: path, reason: .refusedGlobal(global))) { try PyTorchCheckpoint.read(path) }
      #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func refusesViewsThatDoNotFitTheirStorage() throws {
      let cases: [(String, PyTorchError.Reason)] = [
        ("out_of_bounds.pt", .viewOutOfBounds(tensor: "t", storage: "0", lastElement: 4, storageElements: 4)),
        ("storage_too_small.pt", .storageSizeMismatch(storage: "0", expectedBytes: 16, actualBytes: 12)),
        ("negative_stride.pt", .invalidTensor(
          tensor: "t", message: "negative offset, size or stride (offset 3, size [4], stride [-1])")),
        ("huge_view.pt", .invalidTensor(tensor: "t", message: "size [4611686018427387904, 4] has too many elements")),
      ]
      for (file, reason) in cases {
        let path = PyTorchFixture.path(file)
        #expect(throws: PyTorchError(path: path, reason: reason)) { try PyTorchCheckpoint.read(path) }
      }
    }

    @Test func refusesFilesThatAreNotCheckpoints() throws {
      try withTemporaryDirectory { dir in
        #expect(throws: PyTorchError(path: dir + "/none.pt", reason: .cannotOpen("No such file or directory"))) {
          try PyTorchCheckpoint.read(dir + "/none.pt")
        }
        #expect(throws: PyTorchError(path: dir, reason: .cannotOpen("Is a directory"))) { try PyTorchCheckpoint.read(dir) }
        try writeFile([], to: dir + "/empty.pt")
        #expect(throws: PyTorchError(path: dir + "/empty.pt", reason: .invalidZipArchive("Not a zip archive"))) {
          try PyTorchCheckpoint.read(dir + "/empty.pt")
        }
        try writeFile(Array("not a checkpoint at all".utf8), to: dir + "/text.pt")
        #expect(throws: PyTorchError(path: dir + "/text.pt", reason: .invalidZipArchive("Not a zip archive"))) {
          try PyTorchCheckpoint.read(dir + "/text.pt")
        }
      }
    }

    @Test func everyTruncationIsATypedError() throws {
      let valid = try readFile(PyTorchFixture.path("plain.pt"))
      try withTemporaryDirectory { dir in
        let path = dir + "/cut.pt"
        for length in [0, 1, 4, 30, 100, 700, valid.count / 2, valid.count - 200, valid.count - 22, valid.count - 1] {
          try writeFile(Array(valid.prefix(length)), to: path)
          #expect(throws: PyTorchError.self, "length \(length)") { try PyTorchCheckpoint.read(path) }
        }
      }
    }

    /// 200 copies of a checkpoint, each with bytes flipped at seeded random places: each loads
    /// (a flip in tensor data changes a value, as with `torch.load`) or is refused with a typed
    /// error; none crashes. With `verifyingChecksums`, every entry read is CRC-checked, so what
    /// loads is exactly the original (the flips hit bytes the reader never uses).
    @Test func flippedBytesAreRefusedOrLoadNeverCrash() throws {
      let path = PyTorchFixture.path("plain.pt")
      let valid = try readFile(path)
      let original = try PyTorchCheckpoint.read(path)
      var generator = Generator(seed: 13)
      var refused = 0, loaded = 0, loadedChecked = 0, crcMismatches = 0, changedValues = 0
      try withTemporaryDirectory { dir in
        let path = dir + "/flipped.pt"
        for _ in 0..<200 {
          var bytes = valid
          for _ in 0...generator.int(below: 3) {
            bytes[generator.int(below: bytes.count)] ^= UInt8(1 + generator.int(below: 255))
          }
          try writeFile(bytes, to: path)
          do throws(PyTorchError) {
            let checkpoint = try PyTorchCheckpoint.read(path)
            #expect(checkpoint.entries.allSatisfy { $0.tensor.count == Shape.count($0.shape) })
            if !sameBits(checkpoint.entries.flatMap(\.tensor.scalars), original.entries.flatMap(\.tensor.scalars)) {
              changedValues += 1
            }
            loaded += 1
          } catch {
            refused += 1
          }
          do throws(PyTorchError) {
            let checkpoint = try PyTorchCheckpoint.read(path, verifyingChecksums: true)
            #expect(checkpoint.names == original.names)
            #expect(sameBits(checkpoint.entries.flatMap(\.tensor.scalars), original.entries.flatMap(\.tensor.scalars)))
            loadedChecked += 1
          } catch {
            if case .unreadableEntry(_, let message) = error.reason, message == "CRC error" { crcMismatches += 1 }
          }
        }
      }
      #expect(refused > 50 && refused + loaded == 200, "\(refused) refused, \(loaded) loaded")
      #expect(changedValues > 10, "flips in tensor data load as changed values: \(changedValues)")
      #expect(crcMismatches > 10 && loadedChecked < loaded, "\(crcMismatches) CRC errors, \(loadedChecked) loaded with checksums")
    }

    @Test func errorDescriptionIsOneLineNamingPathAndReason() {
      let error = PyTorchError(path: "m.pt", reason: .refusedGlobal("os.system"))
      #expect(error.description == "m.pt: refused global os.system: only tensors and plain containers are loaded (nothing from the file is executed)")
      #expect(!PyTorchError(path: "m.pt", reason: .legacyFormat).description.contains("\n"))
    }

    struct KeyFile: Decodable {
      let count: Int
      let tensors: [Row]
      struct Row: Decodable {
        let name: String, dtype: String, shape: [Int], sum: Double, absSum: Double
        init(from decoder: any Decoder) throws {
          var c = try decoder.unkeyedContainer()
          (name, dtype, shape) = (try c.decode(String.self), try c.decode(String.self), try c.decode([Int].self))
          (sum, absSum) = (try c.decode(Double.self), try c.decode(Double.self))
        }
      }
    }

    /// The real AudioSet mn04 checkpoint: exactly torch's keys, dtypes, shapes and values (sums).
    @Test(.enabled(if: SharedData.has("pretrained/audioset_mn04/mn04_as_mAP_432.pt"),
                   SharedData.skipMessage("pretrained/audioset_mn04/mn04_as_mAP_432.pt")))
    func readsTheRealMN04Checkpoint() throws {
      let path = try #require(SharedData.path("pretrained/audioset_mn04/mn04_as_mAP_432.pt"))
      let keys = try JSONDecoder().decode(
        KeyFile.self, from: Data(contentsOf: URL(fileURLWithPath: PyTorchFixture.path("mn04_as_mAP_432.keys.json"))))
      let checkpoint = try PyTorchCheckpoint.read(path)
      #expect(keys.count == 312 && checkpoint.entries.count == 312)
      #expect(checkpoint.names == keys.tensors.map(\.name))
      #expect(checkpoint.entries.map(\.dtype.rawValue) == keys.tensors.map(\.dtype))
      #expect(checkpoint.entries.map(\.shape) == keys.tensors.map(\.shape))
      #expect(checkpoint.skipped.isEmpty)
      for (entry, row) in zip(checkpoint.entries, keys.tensors) {
        let values = entry.tensor.scalars.map(Double.init)
        let sum = values.reduce(0, +), absSum = values.reduce(0) { $0 + abs($1) }
        #expect(abs(sum - row.sum) <= 1e-6 * max(1, row.absSum), "\(entry.name): sum \(sum) vs \(row.sum)")
        #expect(abs(absSum - row.absSum) <= 1e-6 * max(1, row.absSum), "\(entry.name): |sum| \(absSum) vs \(row.absSum)")
      }
    }
  }
}
