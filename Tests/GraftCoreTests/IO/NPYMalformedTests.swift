import Foundation
import GraftCore
import Testing

extension IOTests {
  /// One case per check of the `.npy` reader: each builds bad bytes and expects the exact reason.
  @Suite struct NPYMalformedTests {
    struct Case: Sendable, CustomTestStringConvertible {
      let name: String
      let bytes: [UInt8]
      let reason: NPYError.Reason
      var testDescription: String { name }
    }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// A format-1.0 file with `header` (unpadded) followed by `data`.
    static func file(_ header: String, data: [UInt8] = [], version: [UInt8] = [1, 0]) -> [UInt8] {
      let text = Array(header.utf8)
      let length: [UInt8] = version[0] == 1
        ? [UInt8(text.count & 0xFF), UInt8(text.count >> 8)]
        : withUnsafeBytes(of: UInt32(text.count).littleEndian, Array.init)
      return magic + version + length + text + data
    }

    static func header(descr: String = "'<f4'", fortran: String = "False", shape: String = "(2,)") -> String {
      "{'descr': \(descr), 'fortran_order': \(fortran), 'shape': \(shape), }\n"
    }

    static let eight = [UInt8](repeating: 0, count: 8)

    static let cases: [Case] = [
      Case(name: "empty file", bytes: [], reason: .badMagic),
      Case(name: "wrong magic", bytes: [0x93] + Array("NUMPZ".utf8) + [1, 0, 0, 0], reason: .badMagic),
      Case(name: "a safetensors file", bytes: [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8), reason: .badMagic),
      Case(name: "cut inside the magic", bytes: Array(magic.prefix(4)), reason: .truncatedHeader),
      Case(name: "cut before the version", bytes: magic + [1], reason: .truncatedHeader),
      Case(name: "version 4.0", bytes: magic + [4, 0, 0, 0], reason: .unsupportedVersion(major: 4, minor: 0)),
      Case(name: "version 1.1", bytes: magic + [1, 1, 0, 0], reason: .unsupportedVersion(major: 1, minor: 1)),
      Case(name: "cut inside the length", bytes: magic + [2, 0, 5, 0], reason: .truncatedHeader),
      Case(name: "header longer than the file", bytes: magic + [1, 0, 200, 0] + Array("{}".utf8),
           reason: .truncatedHeader),
      Case(name: "header not a literal", bytes: file("{'descr': '<f4', "),
           reason: .malformedHeader("unexpected end of header at byte 17")),
      Case(name: "header code, not a literal", bytes: file("__import__('os')"),
           reason: .malformedHeader("unexpected character at byte 0")),
      Case(name: "header nested too deep", bytes: file(String(repeating: "(", count: 100)),
           reason: .malformedHeader("nesting too deep at byte 33")),
      Case(name: "header not a dict", bytes: file("[1]"), reason: .malformedHeader("not a dict")),
      Case(name: "missing shape", bytes: file("{'descr': '<f4', 'fortran_order': False}"),
           reason: .malformedHeader("missing key 'shape'")),
      Case(name: "extra key", bytes: file("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", data: [0, 0, 0, 0]),
           reason: .malformedHeader("unexpected key 'x'")),
      Case(name: "zero then huge dimensions", bytes: file(header(shape: "(0, 4611686018427387904, 4)")),
           reason: .malformedHeader("shape [0, 4611686018427387904, 4] is too large")),
      Case(name: "shape is a list", bytes: file(header(shape: "[2]"), data: eight),
           reason: .malformedHeader("shape is not a tuple: [2]")),
      Case(name: "shape is an int in parentheses", bytes: file(header(shape: "(2)"), data: eight),
           reason: .malformedHeader("shape is not a tuple: 2")),
      Case(name: "shape holds a string", bytes: file(header(shape: "('2',)"), data: eight),
           reason: .malformedHeader("shape is not a tuple of ints")),
      Case(name: "negative dimension", bytes: file(header(shape: "(-1, 2)")),
           reason: .malformedHeader("negative dimension in shape [-1, 2]")),
      Case(name: "dimension overflows Int", bytes: file(header(shape: "(99999999999999999999,)")),
           reason: .malformedHeader("integer out of range at byte 71")),
      Case(name: "shape overflows", bytes: file(header(shape: "(4611686018427387904, 4)")),
           reason: .malformedHeader("shape [4611686018427387904, 4] is too large")),
      Case(name: "fortran_order not a bool", bytes: file(header(fortran: "0"), data: eight),
           reason: .malformedHeader("fortran_order is not a bool")),
      Case(name: "complex dtype", bytes: file(header(descr: "'<c8'"), data: eight + eight),
           reason: .unsupportedDType("<c8")),
      Case(name: "object dtype", bytes: file(header(descr: "'|O'"), data: eight + eight),
           reason: .unsupportedDType("|O")),
      Case(name: "structured dtype", bytes: file(header(descr: "[('a', '<f4')]"), data: eight),
           reason: .unsupportedDType("[('a', '<f4')]")),
      Case(name: "Fortran order", bytes: file(header(fortran: "True", shape: "(2, 2)"), data: eight + eight),
           reason: .fortranOrder(shape: [2, 2])),
      Case(name: "truncated data", bytes: file(header(), data: [0, 0, 0, 0, 0, 0, 0]),
           reason: .dataLengthMismatch(expected: 8, actual: 7)),
      Case(name: "no data", bytes: file(header()), reason: .dataLengthMismatch(expected: 8, actual: 0)),
      Case(name: "extra data", bytes: file(header(), data: eight + [0]),
           reason: .dataLengthMismatch(expected: 8, actual: 9)),
      Case(name: "invalid UTF-8 in a 3.0 header",
           bytes: file(header(descr: "'<f\u{FF}'"), version: [3, 0]).map { $0 == 0xC3 ? 0xFF : $0 },
           reason: .malformedHeader("invalid UTF-8 in string at byte 16")),
      Case(name: "Latin-1 descr in a 1.0 header",
           bytes: file(header(descr: "'<f\u{FF}'")).map { $0 == 0xC3 ? 0xFF : $0 },
           reason: .unsupportedDType("<f\u{FF}\u{BF}")),
    ]

    @Test(arguments: cases)
    func rejects(_ c: Case) throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/bad.npy"
        try writeFile(c.bytes, to: path)
        #expect(throws: NPYError(path: path, reason: c.reason)) { try NPY.read(path) }
      }
    }

    @Test func smallestValidFilesAreAccepted() throws {
      // Guards the cases above: the same builders make files the reader accepts.
      let array = try NPY.decode(Self.file(Self.header(), data: littleEndianBytes([1, 2])), path: "ok")
      #expect(array.toTensor().scalars == [1, 2])
      let python2 = try NPY.decode(Self.file(Self.header(shape: "(2L,)"), data: Self.eight, version: [2, 0]), path: "ok")
      #expect(python2.shape == [2])
      let doubleQuoted = try NPY.decode(Self.file(#"{"descr": "|u1", "shape": (), "fortran_order": True}"#, data: [9]), path: "ok")
      #expect(doubleQuoted.toTensor().item == 9)
    }

    @Test func everyTruncationOfAValidFileIsRejected() throws {
      let valid = try IOFixture.bytes("f4.npy")
      for length in 0..<valid.count {
        #expect(throws: NPYError.self, "length \(length)") { try NPY.decode(Array(valid.prefix(length)), path: "cut") }
      }
    }

    @Test func corruptedHeadersNeverCrash() throws {
      let valid = try IOFixture.bytes("i8.npy")
      var generator = SystemRandomNumberGenerator()
      var rejected = 0
      for _ in 0..<500 {
        var bytes = valid
        let i = Int.random(in: 0..<128, using: &generator)
        bytes[i] = UInt8.random(in: 0...255, using: &generator)
        do { _ = try NPY.decode(bytes, path: "corrupt") } catch { rejected += 1 }
      }
      #expect(rejected > 0)
    }

    @Test func missingFile() throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/absent.npy"
        #expect(throws: NPYError(path: path, reason: .cannotOpen("No such file or directory"))) { try NPY.read(path) }
      }
    }

    @Test func errorDescriptionNamesPathAndReason() {
      let error = NPYError(path: "a.npy", reason: .dataLengthMismatch(expected: 8, actual: 7))
      #expect(error.description == "a.npy: data has 7 bytes, expected 8")
    }
  }
}
