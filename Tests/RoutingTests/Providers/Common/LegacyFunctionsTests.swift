import JSON
import XCTest

@testable import Routing

final class LegacyFunctionsTests: XCTestCase {
    func testFunctionsAndFunctionCallBecomeToolsAndToolChoice() {
        let body = ProviderFixtures.object(
            """
            {"model":"m","functions":[{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "function_call":{"name":"get_weather"},"messages":[{"role":"user","content":"Paris?"}]}
            """)
        let normalized = LegacyFunctions.normalized(body)
        XCTAssertNil(normalized["functions"])
        XCTAssertNil(normalized["function_call"])
        XCTAssertEqual(normalized["tools"]?[0]?["type"], "function")
        XCTAssertEqual(normalized["tools"]?[0]?["function"]?["name"], "get_weather")
        XCTAssertEqual(normalized["tool_choice"], ["type": "function", "function": ["name": "get_weather"]])
    }

    func testStringFunctionCallKeepsItsMeaningAndNewFieldsWin() {
        var body = ProviderFixtures.object(#"{"functions":[{"name":"a"}],"function_call":"none"}"#)
        XCTAssertEqual(LegacyFunctions.normalized(body)["tool_choice"], "none")
        body["tools"] = [["type": "function", "function": ["name": "b"]]]
        body["tool_choice"] = "required"
        let normalized = LegacyFunctions.normalized(body)
        XCTAssertEqual(normalized["tools"]?[0]?["function"]?["name"], "b")
        XCTAssertEqual(normalized["tool_choice"], "required")
    }

    func testLegacyMessagesBecomeToolCallsAndToolResults() {
        let body = ProviderFixtures.object(
            """
            {"messages":[{"role":"user","content":"Weather in Paris?"},
             {"role":"assistant","content":null,"function_call":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
             {"role":"function","name":"get_weather","content":"{\\"temp\\":21}"}]}
            """)
        let messages = LegacyFunctions.normalized(body)["messages"]?.arrayValue ?? []
        XCTAssertEqual(messages.count, 3)
        let call = messages[1]["tool_calls"]?[0]
        XCTAssertEqual(call?["function"]?["name"], "get_weather")
        XCTAssertEqual(call?["function"]?["arguments"], "{\"city\":\"Paris\"}")
        XCTAssertNil(messages[1]["function_call"])
        XCTAssertEqual(messages[2]["role"], "tool")
        XCTAssertEqual(messages[2]["tool_call_id"], call?["id"])
    }
}
