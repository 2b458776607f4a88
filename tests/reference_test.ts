/** Side by side with Debian's Python ansible-runner, both running Debian 12's ansible-core. */
import { defineReferenceTests } from "./reference_cases.ts";

defineReferenceTests("");
