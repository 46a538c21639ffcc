#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 (FIPS 180-4), for content hashes: the feature cache's keys and the dataset health
/// check's duplicate detection. Not for secrets (no constant-time claims); checked against the
/// standard's test vectors (`SHA256Tests`).
///
/// ```swift
/// var h = SHA256()
/// h.update(bytes)
/// let digest = h.finalize()          // 32 bytes; digest.hex is 64 lowercase hex digits
/// let file = try SHA256.hash(file: "cat.png")
/// ```
public struct SHA256: Sendable {
  /// A 32-byte digest.
  public struct Digest: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]
    /// 64 lowercase hex digits.
    public var hex: String {
      let digits = Array("0123456789abcdef".utf8)
      var out = [UInt8](repeating: 0, count: bytes.count * 2)
      for (i, b) in bytes.enumerated() {
        out[2 * i] = digits[Int(b >> 4)]
        out[2 * i + 1] = digits[Int(b & 15)]
      }
      return String(decoding: out, as: UTF8.self)
    }
    public var description: String { hex }
  }

  private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
    (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
  private var pending: [UInt8] = []
  private var length: UInt64 = 0

  public init() { pending.reserveCapacity(64) }

  /// Feeds `bytes`.
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard var p = bytes.baseAddress, bytes.count > 0 else { return }
    var n = bytes.count
    length &+= UInt64(n)
    if !pending.isEmpty {
      let take = min(64 - pending.count, n)
      pending += UnsafeRawBufferPointer(start: p, count: take)
      p += take
      n -= take
      if pending.count == 64 {
        pending.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
        pending.removeAll(keepingCapacity: true)
      }
    }
    let blocks = n / 64
    if blocks > 0 {
      compress(p, blocks: blocks)
      p += blocks * 64
      n -= blocks * 64
    }
    if n > 0 { pending += UnsafeRawBufferPointer(start: p, count: n) }
  }

  public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }
  public mutating func update(_ string: String) { update(Array(string.utf8)) }

  /// The digest of everything fed (padding with the bit length, big-endian).
  public func finalize() -> Digest {
    var copy = self
    var tail = copy.pending
    let bits = length &* 8
    tail.append(0x80)
    while tail.count % 64 != 56 { tail.append(0) }
    for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
    tail.withUnsafeBytes { copy.compress($0.baseAddress!, blocks: tail.count / 64) }
    var out = [UInt8]()
    out.reserveCapacity(32)
    let s = copy.state
    for word in [s.0, s.1, s.2, s.3, s.4, s.5, s.6, s.7] {
      out += [UInt8(word >> 24), UInt8(truncatingIfNeeded: word >> 16), UInt8(truncatingIfNeeded: word >> 8),
              UInt8(truncatingIfNeeded: word)]
    }
    return Digest(bytes: out)
  }

  /// The digest of `bytes`.
  public static func hash(_ bytes: [UInt8]) -> Digest {
    var h = SHA256()
    h.update(bytes)
    return h.finalize()
  }

  /// The digest of a file's bytes, read in 1 MiB pieces. Throws `FileReadError` naming the file.
  public static func hash(file path: String) throws(FileReadError) -> Digest {
    let fd: Int32
    do { fd = try Syscalls.open(path, O_RDONLY) } catch { throw FileReadError(path: path, reason: error.message) }
    defer { close(fd) }
    var h = SHA256()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
    defer { buffer.deallocate() }
    while true {
      let n = read(fd, buffer.baseAddress, buffer.count)
      if n < 0 {
        if errno == EINTR { continue }
        throw FileReadError(path: path, reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      h.update(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n))
    }
    return h.finalize()
  }

  private static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  /// The compression function over `blocks` consecutive 64-byte blocks at `p`.
  private mutating func compress(_ p: UnsafeRawPointer, blocks: Int) {
    let w = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
    defer { w.deallocate() }
    Self.k.withUnsafeBufferPointer { k in
      var (h0, h1, h2, h3, h4, h5, h6, h7) = state
      for block in 0..<blocks {
        let base = p + block * 64
        for t in 0..<16 { w[t] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self)) }
        for t in 16..<64 {
          let a = w[t - 15], b = w[t - 2]
          let s0 = a.rotr(7) ^ a.rotr(18) ^ (a >> 3)
          let s1 = b.rotr(17) ^ b.rotr(19) ^ (b >> 10)
          w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, h) = (h0, h1, h2, h3, h4, h5, h6, h7)
        for t in 0..<64 {
          let s1 = e.rotr(6) ^ e.rotr(11) ^ e.rotr(25)
          let ch = (e & f) ^ (~e & g)
          let t1 = h &+ s1 &+ ch &+ k[t] &+ w[t]
          let s0 = a.rotr(2) ^ a.rotr(13) ^ a.rotr(22)
          let maj = (a & b) ^ (a & c) ^ (b & c)
          let t2 = s0 &+ maj
          (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
      }
      state = (h0, h1, h2, h3, h4, h5, h6, h7)
    }
  }
}

extension UInt32 {
  @inline(__always) fileprivate func rotr(_ n: UInt32) -> UInt32 { (self >> n) | (self << (32 - n)) }
}
