import Foundation
import GraftCore
import Testing

extension IOTests {
  @Suite struct NPYTests {
    /// The six values `Tools/fixtures/io.py` stores per dtype, as `Float`, and the fixture file.
    struct Fixture: Sendable, CustomTestStringConvertible {
      let file: String
      let dtype: NPYDType
      let values: [Float]
      var testDescription: String { file }
    }

    static let fixtures: [Fixture] = [
      Fixture(file: "f4.npy", dtype: .float32, values: [-1.5, 0, 0.25, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0]),
      Fixture(file: "be_f4.npy", dtype: NPYDType.float32.bigEndian(),
              values: [-1.5, 0, 0.25, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0]),
      Fixture(file: "f8.npy", dtype: .float64, values: [Float(0.1 as Double), -.infinity, Float(1.0 / 3.0), 0, 0x1p60, -7]),
      Fixture(file: "f2.npy", dtype: .float16, values: [1, -2, 65504, 0x1p-24, 0.0999755859375, -.infinity]),
      Fixture(file: "u1.npy", dtype: .uint8, values: [0, 1, 127, 128, 254, 255]),
      Fixture(file: "u2.npy", dtype: .uint16, values: [0, 1, 255, 256, 4095, 65535]),
      Fixture(file: "i2.npy", dtype: .int16, values: [-32768, -1, 0, 1, 256, 32767]),
      Fixture(file: "i4.npy", dtype: .int32, values: [-2147483648, -1, 0, 1, 16777216, 2147483648]),
      Fixture(file: "i8.npy", dtype: .int64, values: [-0x1p63, -1, 0, 1, 0x1p40, 0x1p63]),
      Fixture(file: "i1.npy", dtype: .int8, values: [-128, -1, 0, 1, 64, 127]),
      Fixture(file: "b1.npy", dtype: .bool, values: [1, 0, 1, 1, 0, 0]),
    ]

    /// The streaming writer (data straight from the tensor's storage) writes the same bytes as
    /// `NPY.encode`, for 1-D, 2-D and empty tensors.
    @Test(arguments: [[5], [3, 4], [0, 7], [2, 1, 3]])
    func streamingWriteEqualsEncode(_ shape: [Int]) throws {
      let tensor = Tensor(shape: shape, (0..<Shape.count(shape)).map { Float($0) * 0.5 - 1 })
      let path = FileManager.default.temporaryDirectory.appendingPathComponent("graft-npy-\(UUID().uuidString).npy").path
      defer { try? FileManager.default.removeItem(atPath: path) }
      try NPY.writeStreaming(tensor, to: path)
      let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
      #expect(written == NPY.encode(NPYArray(tensor)))
      #expect(written.count % 64 == (tensor.count * 4) % 64)  // the header pads to 64 bytes
    }

    @Test(arguments: fixtures)
    func readsNumPyFixture(_ f: Fixture) throws {
      let array = try NPY.read(IOFixture.path(f.file))
      #expect(array.shape == [2, 3])
      #expect(array.dtype == f.dtype)
      let tensor = array.toTensor()
      #expect(tensor.shape == [2, 3])
      #expect(sameBits(tensor.scalars, f.values), "\(tensor.scalars)")
    }

    @Test(arguments: fixtures)
    func encodesExactlyAsNumPyDoes(_ f: Fixture) throws {
      let bytes = try IOFixture.bytes(f.file)
      let array = try NPY.decode(bytes, path: f.file)
      #expect(NPY.encode(array) == bytes)
    }

    @Test(arguments: fixtures)
    func roundTripsThroughAFile(_ f: Fixture) throws {
      let original = try NPY.read(IOFixture.path(f.file))
      try withTemporaryDirectory { dir in
        let path = dir + "/x.npy"
        try NPY.write(original, to: path)
        #expect(try NPY.read(path) == original)
        #expect(try directoryListing(dir) == ["x.npy"])
      }
    }

    @Test(arguments: ["v2_f4.npy", "v3_f4.npy"])
    func readsFormats2And3(_ file: String) throws {
      let array = try NPY.read(IOFixture.path(file))
      #expect(array == (try NPY.read(IOFixture.path("f4.npy"))))
    }

    @Test func readsScalarEmptyAndOneDimensionalFortranOrder() throws {
      let scalar = try NPY.read(IOFixture.path("scalar_f4.npy"))
      #expect(scalar.shape == [] && scalar.toTensor().item == 2.5)
      let empty = try NPY.read(IOFixture.path("empty_f4.npy"))
      #expect(empty.shape == [0, 3] && empty.bytes.isEmpty && empty.toTensor().count == 0)
      let fortran = try NPY.read(IOFixture.path("fortran_1d_f4.npy"))
      #expect(fortran.toTensor().scalars == [1, 2, 3])
    }

    @Test func refusesTwoDimensionalFortranOrder() {
      let path = IOFixture.path("fortran_f4.npy")
      #expect(throws: NPYError(path: path, reason: .fortranOrder(shape: [2, 3]))) { try NPY.read(path) }
    }

    @Test func tensorRoundTrip() throws {
      let tensor = Tensor(shape: [3, 1, 2], [1, -2, 3.5, .infinity, -0.0, 0x1p-130])
      try withTemporaryDirectory { dir in
        let path = dir + "/t.npy"
        try NPY.write(tensor, to: path)
        let back = try NPY.read(path)
        #expect(back.dtype == .float32 && back.dtype.descr == "<f4")
        #expect(back.toTensor().shape == [3, 1, 2])
        #expect(sameBits(back.toTensor().scalars, tensor.scalars))
      }
    }

    @Test func pixelInitialisers() {
      let u8 = NPYArray(pixels: [0, 128, 255, 7, 8, 9] as [UInt8], shape: [1, 2, 3])
      #expect(u8.dtype == .uint8 && u8.dtype.descr == "|u1")
      #expect(u8.toTensor().scalars == [0, 128, 255, 7, 8, 9])
      let u16 = NPYArray(pixels: [0, 258, 65535] as [UInt16], shape: [3])
      #expect(u16.dtype.descr == "<u2")
      #expect(u16.bytes == [0, 0, 2, 1, 255, 255])
      #expect(u16.toTensor().scalars == [0, 258, 65535])
    }

    @Test(arguments: [
      ("<f4", NPYDType.float32), ("|u1", .uint8), ("<u1", .uint8), ("|i1", .int8), ("|b1", .bool),
      (">i8", NPYDType.int64.bigEndian()), ("<u8", .uint64), ("<f2", .float16),
    ])
    func parsesDescr(_ descr: String, _ expected: NPYDType) {
      #expect(NPYDType(descr: descr) == expected)
    }

    @Test(arguments: ["<c8", "|O", "<U5", "|S3", "<f16", "|f4", "=f4", "<i3", "<f+4", "f4", "", "<b2", "<M8[s]"])
    func refusesDescr(_ descr: String) {
      #expect(NPYDType(descr: descr) == nil)
    }
  }
}
