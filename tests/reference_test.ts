/** Side by side with Debian 12's Python ansible-runner (2.3), both running its ansible-core (2.14). */
import { defineReferenceTests } from "./reference_cases.ts";

defineReferenceTests({ label: "", naiveTimes: true });
