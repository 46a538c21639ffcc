import CPNG
import Foundation
import Testing

/// The CPNG shim's bounded allocator (docs/RELIABILITY.md): the fuzz regression
/// `png/scal-chunk-claims-1.9-gb.png` is 502 bytes whose `sCAL` chunk claims 1,929,405,696 bytes,
/// which libpng 1.6.39 allocates after warning that it is over the chunk limit.
@Suite struct PNGAllocationBoundTests {
  static let input = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("GraftFuzzTests/Regressions/png/scal-chunk-claims-1.9-gb.png").path

  /// Through the shim: the largest allocation libpng is granted while reading the header or
  /// decoding stays far below the chunk's claim (it was the claim + 1 byte).
  @Test func libpngIsNotGrantedTheChunksClaim() {
    var message = [CChar](repeating: 0, count: 256)
    var err: Int32 = 0
    cpng_reset_largest_allocation()
    var info = cpng_info()
    #expect(cpng_read_info(Self.input, &info, &message, 256, &err) == CPNG_ERR_LIBPNG)
    var image = cpng_image()
    #expect(cpng_decode_file(Self.input, 0, &image, &message, 256, &err) == CPNG_ERR_LIBPNG)
    #expect(cpng_largest_allocation() > 0 && cpng_largest_allocation() < 32 << 20,
            "libpng was granted \(cpng_largest_allocation()) bytes for a 502-byte file")
  }

}
