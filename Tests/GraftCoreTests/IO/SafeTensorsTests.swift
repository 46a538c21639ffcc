import Foundation
@testable import GraftCore
import Testing

extension IOTests {
  @Suite struct SafeTensorsTests {
    @Test func roundTripsValuesNamesShapesAndMetadata() throws {
      let tensors: [String: Tensor] = [
        "weight": Tensor(shape: [2, 3], [-1.5, 0, 0.25, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0]),
        "scalar": Tensor(7),
        "empty": Tensor(shape: [0, 4], []),
        "odd \"name\" é✓\n": Tensor(shape: [1, 1, 5], [1, 2, 3, .infinity, .nan]),
      ]
      let metadata = ["format": "pt", "quote\"back\\slash": "line\nbreak \u{1} é✓"]
      try withTemporaryDirectory { dir in
        let path = dir + "/model.safetensors"
        try SafeTensors.write(tensors, metadata: metadata, to: path)
        let file = try SafeTensors.read(path)
        #expect(file.names == ["empty", "odd \"name\" é✓\n", "scalar", "weight"])
        #expect(file.metadata == metadata)
        for (name, tensor) in tensors {
          let read = try #require(file[name], "\(name)")
          #expect(read.shape == tensor.shape, "\(name)")
          #expect(sameBits(read.scalars, tensor.scalars), "\(name)")
        }
        #expect(file.header.entries.allSatisfy { $0.dtype == .float32 })
        #expect(file.header.dataStart % 8 == 0)
        #expect(try directoryListing(dir) == ["model.safetensors"])
      }
    }

    @Test func writerMatchesThePythonLibraryByteForByte() throws {
      let expected = try IOFixture.bytes("numpy.safetensors")
      try withTemporaryDirectory { dir in
        let path = dir + "/numpy.safetensors"
        try SafeTensors.write(
          ["b": Tensor(shape: [2, 2], [1, -2, 0.5, 4]), "a": Tensor(shape: [3], [0.125, -0.0, 3])],
          metadata: ["source": "numpy"], to: path)
        #expect(try readFile(path) == expected)
      }
    }

    @Test func headerWithoutMetadataOmitsTheKey() {
      let header = String(decoding: SafeTensors.encodeHeader([("x", [2])], metadata: [:]), as: UTF8.self)
      #expect(header == #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"# + String(repeating: " ", count: 2))
    }

    @Test func readsEveryDTypeWrittenByTorch() throws {
      let file = try SafeTensors.read(IOFixture.path("mixed.safetensors"))
      #expect(file.metadata["script"] == "Tools/fixtures/io.py")
      #expect(file.metadata["torch"]?.hasPrefix("2.") == true)
      let converted = file.names.filter { file[$0 + ".expected"] != nil }
      #expect(Set(converted) == ["f16", "bf16", "f64", "i64", "i32", "i16", "u8", "i8", "bool", "f8_e4m3", "f8_e5m2"])
      for name in converted {
        let (ours, torch) = (try #require(file[name]), try #require(file[name + ".expected"]))
        #expect(ours.shape == torch.shape, "\(name)")
        #expect(sameBits(ours.scalars, torch.scalars), "\(name): \(ours.scalars) vs torch \(torch.scalars)")
      }
      // Spot checks that do not lean on torch.
      #expect(file["f32"]?.scalars == [-1.5, 0, 0.25, 3, 1e-3, 65504])
      #expect(file["f16"]?.scalars == [1, -2, 0.0999755859375, 65504, -.infinity, 0x1p-24])
      #expect(file["bf16"]?.scalars == [1, -3.140625, 0x1.2Cp126, 0x1p-130])
      #expect(file["i64"]?.scalars == [-5, 0, 0x1p40])
      #expect(file["f64"]?.scalars == [0.1, -.infinity, Float(1.0 / 3.0)])
      #expect(file["f8_e4m3"]?.scalars == [1, -0.5, 448, 0x1p-9])
      #expect(file["bool"]?.scalars == [1, 0, 1])
      #expect(file["empty"]?.shape == [0, 3])
      #expect(file["scalar"]?.shape == [] && file["scalar"]?.item == 2.5)
    }

    @Test func readHeaderListsTensorsInFileOrderWithoutLoading() throws {
      let header = try SafeTensors.readHeader(IOFixture.path("mixed.safetensors"))
      #expect(header.names.first == "i64" && header.names.last == "bool")
      #expect(header["bf16"] == SafeTensorsHeader.Entry(name: "bf16", dtype: .bfloat16, shape: [2, 2],
                                                        dataOffsets: 228..<236))
      #expect(header["f8_e5m2"]?.dtype == .float8E5M2)
      #expect(header.metadata["safetensors"] != nil)
      #expect(header.entries.count == 25)
    }

    @Test func everyTruncationOfAValidFileIsRejected() throws {
      let valid = try IOFixture.bytes("numpy.safetensors")
      try withTemporaryDirectory { dir in
        let path = dir + "/cut.safetensors"
        for length in 0..<valid.count {
          try writeFile(Array(valid.prefix(length)), to: path)
          #expect(throws: SafeTensorsError.self, "length \(length)") { try SafeTensors.read(path) }
        }
      }
    }

    @Test func corruptedBytesNeverCrash() throws {
      let valid = try IOFixture.bytes("mixed.safetensors")
      var generator = SystemRandomNumberGenerator()
      var rejected = 0
      try withTemporaryDirectory { dir in
        let path = dir + "/corrupt.safetensors"
        for _ in 0..<300 {
          var bytes = valid
          for _ in 0..<Int.random(in: 1...4, using: &generator) {
            // Corrupt the header mostly: that is where the parser lives.
            let i = Int.random(in: 0..<min(bytes.count, 1720), using: &generator)
            bytes[i] = UInt8.random(in: 0...255, using: &generator)
          }
          try writeFile(bytes, to: path)
          do { _ = try SafeTensors.read(path) } catch { rejected += 1 }
        }
      }
      #expect(rejected > 0)
    }

    @Test func errorDescriptionNamesPathAndReason() {
      let error = SafeTensorsError(path: "m.safetensors", reason: .unknownDType(tensor: "w", dtype: "C64"))
      #expect(error.description == "m.safetensors: tensor 'w': unknown dtype 'C64'")
    }
  }
}
