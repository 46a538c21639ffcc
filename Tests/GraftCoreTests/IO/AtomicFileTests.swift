import Foundation
import GraftCore
import Testing

extension IOTests {
  @Suite struct AtomicFileTests {
    struct BodyFailed: Error, Equatable {}

    @Test func writesAndReplaces() throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/out.bin"
        try AtomicFile.write([1, 2, 3], to: path)
        #expect(try readFile(path) == [1, 2, 3])
        try AtomicFile.write([9], to: path)
        #expect(try readFile(path) == [9])
        #expect(try directoryListing(dir) == ["out.bin"])
      }
    }

    @Test func streamsThroughATemporaryFileInTheSameDirectory() throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/model.safetensors"
        var seenDuringBody: [String] = []
        try AtomicFile.write(to: path) { sink in
          try sink.write("header")
          try sink.write([UInt8](repeating: 7, count: 3 << 20))
          seenDuringBody = try directoryListing(dir)
        }
        #expect(seenDuringBody.count == 1)
        #expect(seenDuringBody.first?.hasPrefix(".model.safetensors.tmp-\(getpid())-") == true)
        let written = try readFile(path)
        #expect(written.count == 6 + (3 << 20))
        #expect(Array(written.prefix(6)) == Array("header".utf8) && written.last == 7)
        #expect(try directoryListing(dir) == ["model.safetensors"])
      }
    }

    @Test func bodyErrorLeavesOldFileIntactAndNoTemporaryFile() throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/keep.txt"
        try writeFile(Array("old".utf8), to: path)
        #expect(throws: BodyFailed()) {
          try AtomicFile.write(to: path) { sink in
            try sink.write("new, partial")
            throw BodyFailed()
          }
        }
        #expect(try readFile(path) == Array("old".utf8))
        #expect(try directoryListing(dir) == ["keep.txt"])
      }
    }

    @Test func bodyErrorCreatesNoFile() throws {
      try withTemporaryDirectory { dir in
        #expect(throws: BodyFailed()) {
          try AtomicFile.write(to: dir + "/new.txt") { _ in throw BodyFailed() }
        }
        let listing = try directoryListing(dir)
        #expect(listing.isEmpty)
      }
    }

    @Test func missingDirectoryThrowsCannotCreate() throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/absent/out.bin"
        #expect(throws: FileWriteError(path: path, reason: .cannotCreate("No such file or directory"))) {
          try AtomicFile.write([1], to: path)
        }
      }
    }

    @Test(arguments: ["", "dir/", "/tmp/..", "."])
    func pathsNamingNoFileAreRejected(_ path: String) {
      #expect(throws: FileWriteError(path: path, reason: .invalidPath)) {
        try AtomicFile.write([1], to: path)
      }
    }

    @Test func renameFailureRemovesTemporaryFileAndKeepsTarget() throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/target"
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        // rename(2) of a file over a non-empty directory fails with EISDIR.
        #expect(throws: FileWriteError(path: path, reason: .renameFailed("Is a directory"))) {
          try AtomicFile.write([1, 2], to: path)
        }
        #expect(try directoryListing(dir) == ["target"])
        #expect(try directoryListing(path) == ["inside"])
      }
    }

    @Test func sinkRefusesWritesAfterTheBodyReturns() throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/a"
        var escaped: FileSink?
        try AtomicFile.write(to: path) { sink in escaped = sink }
        let sink = try #require(escaped)
        #expect(throws: FileWriteError(path: path, reason: .writeFailed("Bad file descriptor"))) {
          try sink.write([1])
        }
        #expect(try readFile(path).isEmpty)
      }
    }

    @Test func errorDescriptionNamesPathAndReason() {
      let error = FileWriteError(path: "/x/y", reason: .renameFailed("Is a directory"))
      #expect(error.description == "/x/y: rename failed: Is a directory")
    }
  }
}
