import Foundation
import GraftCore
import Testing
import _GraftTestSupport

/// SHA-256 against FIPS 180-4's example vectors (and the NIST one-million-'a' message).
@Suite struct SHA256Tests {
  @Test func standardVectors() {
    #expect(SHA256.hash([]).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hex
      == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)).hex
      == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test func piecewiseUpdatesEqualOneShot() {
    var g = Generator(seed: 9)
    let bytes = (0..<1000).map { _ in UInt8(g.int(below: 256)) }
    let whole = SHA256.hash(bytes)
    for cuts in [[1, 63, 64, 65], [55, 56, 57], [128, 500, 999]] {
      var h = SHA256(), start = 0
      for cut in cuts + [bytes.count] {
        h.update(Array(bytes[start..<cut]))
        start = cut
      }
      #expect(h.finalize() == whole, "cuts \(cuts)")
    }
  }

  @Test func fileDigestsAndTheirMemo() throws {
    let dir = try TemporaryDirectory("graft-sha")
    defer { dir.remove() }
    try dir.write(Array("abc".utf8), to: "a.bin")
    let hashes = ContentHashes()
    #expect(try hashes.digest(of: dir.file("a.bin")).hex.hasPrefix("ba7816bf"))
    // Rewritten (another size): hashed again, not served from the memo.
    try dir.write(Array("abcd".utf8), to: "a.bin")
    #expect(try hashes.digest(of: dir.file("a.bin")) == SHA256.hash(Array("abcd".utf8)))
    #expect(throws: FileReadError.self) { try hashes.digest(of: dir.file("missing.bin")) }
    #expect(throws: FileReadError.self) { try hashes.digest(of: dir.path) }
  }
}
