import GraftCore
import Testing

@Suite struct DelimitedTextTests {
  private func read(_ text: String, _ dialect: DelimitedText.Dialect = .csv) -> [(Int, [String]?, String?)] {
    read(Array(text.utf8), dialect)
  }

  private func read(_ bytes: [UInt8], _ dialect: DelimitedText.Dialect) -> [(Int, [String]?, String?)] {
    DelimitedText(bytes: bytes, dialect: dialect, path: "t.csv").records.map { record in
      switch record.result {
      case .success(let fields): (record.line, fields, nil)
      case .failure(let issue): (record.line, nil, issue.description)
      }
    }
  }

  @Test func csvQuotingFollowsRFC4180() {
    let records = read("a,\"b, c\",d\r\n\"multi\nline\",\"say \"\"hi\"\"\",\n\ne,f\"g,\"\"\n")
    #expect(records.count == 3)
    #expect(records[0].0 == 1 && records[0].1 == ["a", "b, c", "d"])
    #expect(records[1].0 == 2 && records[1].1 == ["multi\nline", "say \"hi\"", ""])
    // The empty line 4 is skipped; a quote inside an unquoted field is kept.
    #expect(records[2].0 == 5 && records[2].1 == ["e", "f\"g", ""])
  }

  @Test func malformedRecordsNameFileAndLineAndReadingGoesOn() {
    let records = read("ok,1\n\"bad\"x,2\nfine,3\n\"never closed,4\nafter,5\n")
    #expect(records.map(\.0) == [1, 2, 3, 4, 5])
    #expect(records[1].2 == "t.csv:2: unexpected character after the closing quote of field 1")
    #expect(records[2].1 == ["fine", "3"])
    #expect(records[3].2 == "t.csv:4: quoted field is never closed")
    #expect(records[4].1 == ["after", "5"])
    let invalid = read([0x61, 0x2C, 0xFF, 0x0A, 0x62, 0x2C, 0x63], .csv)
    #expect(invalid.map(\.2) == ["t.csv:1: field 2 is not valid UTF-8", nil] && invalid[1].1 == ["b", "c"])
  }

  @Test func lineBreaksBOMAndTrailingRecord() {
    // \r\n, a lone \r (old Mac exports) and \n each end a record and count one line.
    let records = read([0xEF, 0xBB, 0xBF] + Array("h1,h2\r\nx,1\ry,2\n\r\nz,3".utf8), .csv)
    #expect(records.map(\.0) == [1, 2, 3, 5] && records.map { $0.1 ?? [] } == [["h1", "h2"], ["x", "1"], ["y", "2"], ["z", "3"]])
    // A quoted line break counts too, so the next record's line is right.
    #expect(read("\"a\r\nb\",1\nc,2\n").map(\.0) == [1, 3])
    #expect(read("").isEmpty && read("\n\r\n\r").isEmpty)
  }

  @Test func tsvUnquotesOnlyWholeFields() {
    let records = read("\"quoted \"\"text\"\"\"\t1\n\" unclosed\t0\n\"Great\" he said\t1\na\t\tc\n", .tsv)
    #expect(records.map { $0.1 ?? [] } == [["quoted \"text\"", "1"], ["\" unclosed", "0"], ["\"Great\" he said", "1"], ["a", "", "c"]])
    #expect(records.map(\.0) == [1, 2, 3, 4])
    // A comma is data in TSV.
    #expect(read("a,b\tc\n", .tsv).first?.1 == ["a,b", "c"])
  }

  @Test func dialectGuess() {
    #expect(DelimitedText.Dialect.guess(path: "x.CSV", bytes: Array("a\tb\n".utf8)) == .csv)
    #expect(DelimitedText.Dialect.guess(path: "x.txt", bytes: Array("a\tb\nc,d\n".utf8)) == .tsv)
    #expect(DelimitedText.Dialect.guess(path: "x.txt", bytes: Array("a,b\nc\td\n".utf8)) == .csv)
    #expect(DelimitedText(bytes: [], dialect: .tsv, path: "p").records.isEmpty)
  }
}
