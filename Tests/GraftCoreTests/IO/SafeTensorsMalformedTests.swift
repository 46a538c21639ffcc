import Foundation
import GraftCore
import Testing

extension IOTests {
  /// One case per check of the reader: each builds bad bytes and expects the exact reason.
  @Suite struct SafeTensorsMalformedTests {
    struct Case: Sendable, CustomTestStringConvertible {
      let name: String
      let bytes: [UInt8]
      let reason: SafeTensorsError.Reason
      var testDescription: String { name }
    }

    /// A file: the header's length (or `length`), the header, then `data`.
    static func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
      file(bytes: Array(header.utf8), data: data, length: length)
    }

    static func file(bytes header: [UInt8], data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
      withUnsafeBytes(of: (length ?? UInt64(header.count)).littleEndian, Array.init) + header + data
    }

    static func entry(_ dtype: String = "F32", shape: String = "[1]", offsets: String = "[0,4]") -> String {
      #"{"dtype":"\#(dtype)","shape":\#(shape),"data_offsets":\#(offsets)}"#
    }

    static let four = [UInt8](repeating: 0, count: 4)

    static let cases: [Case] = [
      Case(name: "empty file", bytes: [], reason: .tooShort(fileSize: 0)),
      Case(name: "shorter than the length", bytes: [1, 0, 0, 0, 0], reason: .tooShort(fileSize: 5)),
      Case(name: "header over 100 MB", bytes: file("{}", length: 100_000_001),
           reason: .headerTooLarge(100_000_001)),
      Case(name: "header length UInt64.max", bytes: file("{}", length: .max), reason: .headerTooLarge(.max)),
      Case(name: "header past end of file", bytes: file("{}", length: 100),
           reason: .headerBeyondFile(headerLength: 100, fileSize: 10)),
      Case(name: "header not UTF-8", bytes: file(bytes: [0x7B, 0xFF, 0x7D]), reason: .headerNotUTF8),
      Case(name: "header not JSON", bytes: file(#"{"a": "#),
           reason: .headerNotJSON("unexpected end of text at byte 6")),
      Case(name: "header trailing garbage", bytes: file("{}x"),
           reason: .headerNotJSON("unexpected text after the value at byte 2")),
      Case(name: "header NUL bytes", bytes: file(bytes: [0, 0, 0, 0]),
           reason: .headerNotJSON("unexpected character at byte 0")),
      Case(name: "header nested too deep", bytes: file(String(repeating: "[", count: 100)),
           reason: .headerNotJSON("nesting too deep at byte 64")),
      Case(name: "header lone surrogate", bytes: file(#"{"\ud800":1}"#),
           reason: .headerNotJSON("lone surrogate at byte 8")),
      Case(name: "header not an object", bytes: file("[1,2]"), reason: .headerNotObject),
      Case(name: "metadata value not a string", bytes: file(#"{"__metadata__":{"a":1}}"#),
           reason: .invalidMetadata),
      Case(name: "metadata not an object", bytes: file(#"{"__metadata__":"x"}"#), reason: .invalidMetadata),
      Case(name: "duplicate tensor", bytes: file(#"{"a":\#(entry()),"a":\#(entry())}"#, data: four),
           reason: .duplicateKey("a")),
      Case(name: "entry not an object", bytes: file(#"{"a":3}"#), reason: .entryNotObject(tensor: "a")),
      Case(name: "missing dtype", bytes: file(#"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: four),
           reason: .missingField(tensor: "a", field: "dtype")),
      Case(name: "missing shape", bytes: file(#"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, data: four),
           reason: .missingField(tensor: "a", field: "shape")),
      Case(name: "missing data_offsets", bytes: file(#"{"a":{"dtype":"F32","shape":[1]}}"#, data: four),
           reason: .missingField(tensor: "a", field: "data_offsets")),
      Case(name: "dtype not a string", bytes: file(#"{"a":\#(entry().replacingOccurrences(of: "\"F32\"", with: "32"))}"#),
           reason: .invalidField(tensor: "a", field: "dtype")),
      Case(name: "fractional dimension", bytes: file(#"{"a":\#(entry(shape: "[1.5]"))}"#, data: four),
           reason: .invalidField(tensor: "a", field: "shape")),
      Case(name: "one offset", bytes: file(#"{"a":\#(entry(offsets: "[4]"))}"#, data: four),
           reason: .invalidField(tensor: "a", field: "data_offsets")),
      Case(name: "negative offset", bytes: file(#"{"a":\#(entry(offsets: "[-4,0]"))}"#, data: four),
           reason: .invalidField(tensor: "a", field: "data_offsets")),
      Case(name: "unknown dtype", bytes: file(#"{"a":\#(entry("C64"))}"#, data: four),
           reason: .unknownDType(tensor: "a", dtype: "C64")),
      Case(name: "negative dimension", bytes: file(#"{"a":\#(entry(shape: "[-1,2]"))}"#, data: four),
           reason: .negativeDimension(tensor: "a", shape: [-1, 2])),
      Case(name: "shape overflows", bytes: file(#"{"a":\#(entry(shape: "[4611686018427387904,4,0]"))}"#),
           reason: .shapeTooLarge(tensor: "a", shape: [4_611_686_018_427_387_904, 4, 0])),
      // No elements, so no bytes, but strides of 2^62 × 2^62 overflow (issue 16).
      Case(name: "zero then huge dimensions", bytes: file(#"{"a":\#(entry(shape: "[0,4611686018427387904,4]", offsets: "[0,0]"))}"#),
           reason: .shapeTooLarge(tensor: "a", shape: [0, 4_611_686_018_427_387_904, 4])),
      // Byte-distinct names that Swift's String would merge: refused by name, never merged silently.
      Case(name: "names equal only under normalisation",
           bytes: file("{\"caf\u{E9}\":\(entry()),\"cafe\u{301}\":\(entry(offsets: "[4,8]"))}", data: four + four),
           reason: .equivalentKeys("caf\u{E9}", "cafe\u{301}")),
      Case(name: "reversed offsets", bytes: file(#"{"a":\#(entry(offsets: "[4,0]"))}"#, data: four),
           reason: .invalidOffsets(tensor: "a", begin: 4, end: 0)),
      Case(name: "offsets disagree with shape", bytes: file(#"{"a":\#(entry(shape: "[2]"))}"#, data: four),
           reason: .sizeMismatch(tensor: "a", expectedBytes: 8, actualBytes: 4)),
      Case(name: "offsets disagree with dtype", bytes: file(#"{"a":\#(entry("F16", shape: "[1]"))}"#, data: four),
           reason: .sizeMismatch(tensor: "a", expectedBytes: 2, actualBytes: 4)),
      Case(name: "overlapping tensors",
           bytes: file(#"{"a":\#(entry(shape: "[2]", offsets: "[0,8]")),"b":\#(entry(shape: "[2]", offsets: "[4,12]"))}"#,
                       data: [UInt8](repeating: 0, count: 12)),
           reason: .overlap(tensor: "b", with: "a")),
      Case(name: "empty tensor inside another",
           bytes: file(#"{"a":\#(entry(shape: "[2]", offsets: "[0,8]")),"z":\#(entry(shape: "[0]", offsets: "[4,4]"))}"#,
                       data: [UInt8](repeating: 0, count: 8)),
           reason: .overlap(tensor: "z", with: "a")),
      Case(name: "hole between tensors",
           bytes: file(#"{"a":\#(entry()),"b":\#(entry(offsets: "[8,12]"))}"#, data: [UInt8](repeating: 0, count: 12)),
           reason: .hole(before: "b", offset: 4)),
      Case(name: "hole at the start", bytes: file(#"{"a":\#(entry(offsets: "[4,8]"))}"#, data: [UInt8](repeating: 0, count: 8)),
           reason: .hole(before: "a", offset: 0)),
      Case(name: "truncated data", bytes: file(#"{"a":\#(entry(shape: "[4]", offsets: "[0,16]"))}"#, data: [UInt8](repeating: 0, count: 10)),
           reason: .truncated(tensor: "a", end: 16, dataSize: 10)),
      Case(name: "offsets past the data region",
           bytes: file(#"{"a":\#(entry()),"b":\#(entry(offsets: "[4,8]"))}"#, data: four),
           reason: .truncated(tensor: "b", end: 8, dataSize: 4)),
      Case(name: "bytes after the last tensor", bytes: file(#"{"a":\#(entry())}"#, data: [UInt8](repeating: 0, count: 6)),
           reason: .trailingBytes(count: 2)),
      Case(name: "data but no tensors", bytes: file("{}", data: four), reason: .trailingBytes(count: 4)),
    ]

    @Test(arguments: cases)
    func rejects(_ c: Case) throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/bad.safetensors"
        try writeFile(c.bytes, to: path)
        #expect(throws: SafeTensorsError(path: path, reason: c.reason)) { try SafeTensors.read(path) }
        #expect(throws: SafeTensorsError(path: path, reason: c.reason)) { try SafeTensors.readHeader(path) }
      }
    }

    @Test func smallestValidFilesAreAccepted() throws {
      // Guards the cases above: the same builders make files the reader accepts.
      try withTemporaryDirectory { dir in
        let path = dir + "/ok.safetensors"
        try writeFile(Self.file("{}"), to: path)
        #expect(try SafeTensors.read(path).names.isEmpty)
        try writeFile(Self.file(#"{"a":\#(Self.entry())}"#, data: littleEndianBytes([2.5])), to: path)
        #expect(try SafeTensors.read(path)["a"]?.scalars == [2.5])
        try writeFile(Self.file(#"  {"a":\#(Self.entry(shape: "[1,0]", offsets: "[0,0]"))}  "#), to: path)
        #expect(try SafeTensors.read(path)["a"]?.shape == [1, 0])
      }
    }

    @Test func missingFile() throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/absent.safetensors"
        #expect(throws: SafeTensorsError(path: path, reason: .cannotOpen("No such file or directory"))) {
          try SafeTensors.read(path)
        }
      }
    }

    @Test func fifoIsRefusedWithoutBlocking() throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/pipe"
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: SafeTensorsError(path: path, reason: .cannotOpen("Invalid argument"))) {
          try SafeTensors.read(path)
        }
      }
    }

    @Test func directoryIsNotAFile() throws {
      try withTemporaryDirectory { dir in
        #expect(throws: SafeTensorsError(path: dir, reason: .cannotOpen("Is a directory"))) {
          try SafeTensors.read(dir)
        }
      }
    }
  }
}
