import JSON
import Routing
import XCTest

/// The error a face's translation throws for `text` (a JSON object); fails the test when it was accepted.
func translationError(
    _ text: String, file: StaticString = #filePath, line: UInt = #line,
    _ translate: (JSONObject) throws(RoutingError) -> JSONObject
) throws -> RoutingError {
    let request = try XCTUnwrap(JSON.parse(text).objectValue, file: file, line: line)
    do {
        _ = try translate(request)
    } catch {
        return error
    }
    XCTFail("\(text) was accepted", file: file, line: line)
    return RoutingError.invalidRequest("accepted")
}
