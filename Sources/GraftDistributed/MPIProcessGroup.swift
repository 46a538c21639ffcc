import CMPI
import Foundation
import GraftCore

/// A `ProcessGroup` over OpenMPI's `MPI_COMM_WORLD` (the shim in Packages/CMPI). Collectives
/// are MPI's own (`MPI_Allreduce`, a ring or tree chosen by the library); an MPI error is a fault
/// of the job, so it aborts every process with the call and MPI's message.
public final class MPIProcessGroup: ProcessGroup {
  public let rank: Int
  public let size: Int

  init(rank: Int, size: Int) {
    self.rank = rank
    self.size = size
  }

  /// Whether the environment says this process was started by a launcher that MPI_Init can
  /// join: OpenMPI's `mpirun` (`OMPI_COMM_WORLD_SIZE`), PMIx (`PMIX_RANK`, Slurm's
  /// `srun --mpi=pmix`) or PMI-1/2 (`PMI_SIZE`). A plain run never initialises MPI.
  public static var launchedByMPI: Bool {
    let env = ProcessInfo.processInfo.environment
    return env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil || env["PMI_SIZE"] != nil
  }

  /// Joins the MPI job when launched by one and installs the group (`ProcessGroups.current`);
  /// otherwise leaves the single-process group. Finalizes MPI at exit. Returns the group.
  @discardableResult
  public static func startIfLaunched() -> any ProcessGroup {
    guard launchedByMPI else { return ProcessGroups.current }
    var rank: Int32 = 0, size: Int32 = 1
    let rc = graft_mpi_init(&rank, &size)
    guard rc == MPI_SUCCESS else {
      Console.writeError("graft: MPI_Init failed: \(message(rc))\n")
      exit(1)
    }
    let group = MPIProcessGroup(rank: Int(rank), size: Int(size))
    ProcessGroups.install(group)
    if let threads = threadsPerRank() { Threads.set(threads) }
    atexit { _ = graft_mpi_finalize() }
    return group
  }

  /// Kernel threads for each rank when the user did not set `GRAFT_NUM_THREADS`: the machine's
  /// cores shared among the ranks on it (OpenMPI's `OMPI_COMM_WORLD_LOCAL_SIZE`, PMIx's
  /// `PMIX_LOCAL_SIZE`, MPICH's `MPI_LOCALNRANKS`), at least one — N ranks of all the cores each
  /// would oversubscribe every core N times. nil: leave the default.
  static func threadsPerRank() -> Int? {
    let env = ProcessInfo.processInfo.environment
    guard env["GRAFT_NUM_THREADS"] == nil else { return nil }
    guard let local = ["OMPI_COMM_WORLD_LOCAL_SIZE", "PMIX_LOCAL_SIZE", "MPI_LOCALNRANKS"].lazy
      .compactMap({ env[$0].flatMap { Int($0) } }).first(where: { $0 >= 1 })
    else { return nil }
    return max(1, ProcessInfo.processInfo.activeProcessorCount / local)
  }

  static func message(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 512)
    graft_mpi_error_string(code, &buffer, Int32(buffer.count))
    let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return text.isEmpty ? "MPI error \(code)" : text
  }

  func check(_ rc: Int32, _ call: String) {
    if rc != MPI_SUCCESS { abort("\(call) failed: \(Self.message(rc))") }
  }

  public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
    var offset = 0
    while offset < buffer.count {  // MPI counts are Int32
      let n = min(buffer.count - offset, Int(Int32.max))
      check(graft_mpi_allreduce_sum_float(buffer.baseAddress! + offset, Int32(n)), "MPI_Allreduce")
      offset += n
    }
  }

  public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {
    var offset = 0
    while offset < buffer.count {
      let n = min(buffer.count - offset, Int(Int32.max))
      check(graft_mpi_allreduce_sum_double(buffer.baseAddress! + offset, Int32(n)), "MPI_Allreduce")
      offset += n
    }
  }

  public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) {
    precondition(root >= 0 && root < size, "broadcast: root \(root) of \(size) processes")
    var offset = 0
    while offset < buffer.count {
      let n = min(buffer.count - offset, Int(Int32.max))
      check(graft_mpi_broadcast(buffer.baseAddress! + offset, Int32(n), Int32(root)), "MPI_Bcast")
      offset += n
    }
  }

  public func allGather(_ local: [UInt8]) -> [[UInt8]] {
    var counts = [Int64](repeating: 0, count: size)
    check(counts.withUnsafeMutableBufferPointer { graft_mpi_allgather_int64(Int64(local.count), $0.baseAddress!) },
          "MPI_Allgather")
    let total = counts.reduce(0, +)
    guard total <= Int64(Int32.max) else { abort("allGather: \(total) bytes in all (more than MPI counts hold)") }
    var displacements = [Int32](repeating: 0, count: size)
    for r in 1..<max(1, size) { displacements[r] = displacements[r - 1] + Int32(counts[r - 1]) }
    let counts32 = counts.map { Int32($0) }
    var out = [UInt8](repeating: 0, count: Int(total))
    let rc = local.withUnsafeBytes { l in
      out.withUnsafeMutableBytes { o in
        graft_mpi_allgatherv_bytes(l.baseAddress, Int32(local.count), o.baseAddress, counts32, displacements)
      }
    }
    check(rc, "MPI_Allgatherv")
    return (0..<size).map { r in Array(out[Int(displacements[r])..<Int(displacements[r]) + Int(counts32[r])]) }
  }

  public func barrier() { check(graft_mpi_barrier(), "MPI_Barrier") }

  public func abort(_ message: String) -> Never {
    Console.writeError("graft: rank \(rank) of \(size): \(message)\n")
    graft_mpi_abort(1)
    exit(1)
  }
}
