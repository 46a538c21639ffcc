import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// What a benchmark ran on: printed with every `graft bench` result.
public struct MachineInfo: Codable, Sendable {
  public var cpu: String
  public var cores: Int
  public var threads: Int
  public var blas: String
  /// The instruction set of Graft's own C kernels (`SIMDLevel`).
  public var simd: String
  public var memoryGiB: Double

  public static var current: MachineInfo {
    MachineInfo(
      cpu: cpuModel() ?? "unknown",
      cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
      threads: Threads.count,
      blas: "OpenBLAS " + String(cString: openblas_get_config()) + " core=" + String(cString: openblas_get_corename()),
      simd: SIMDLevel.current.description,
      memoryGiB: (Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_073_741_824 * 10).rounded() / 10)
  }

  static func cpuModel() -> String? {
    guard let f = fopen("/proc/cpuinfo", "r") else { return nil }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, 512, f) != nil {
      let s = String(cString: line)
      if s.hasPrefix("model name"), let colon = s.firstIndex(of: ":") {
        return s[s.index(after: colon)...].trimmingCharacters(in: " \n\t")
      }
    }
    return nil
  }
}

extension String {
  fileprivate func trimmingCharacters(in set: String) -> String {
    var s = Substring(self)
    while let c = s.first, set.contains(c) { s.removeFirst() }
    while let c = s.last, set.contains(c) { s.removeLast() }
    return String(s)
  }
}

extension Substring {
  fileprivate func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
