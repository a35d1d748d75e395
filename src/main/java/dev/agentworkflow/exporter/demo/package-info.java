/**
 * Demo data: a database written with exactly the hooks' statements, a day of history, and live
 * activity. The tests write their databases through {@link dev.agentworkflow.exporter.demo.HookWriter}
 * too, so every test reads rows shaped the way real hooks shape them.
 */
package dev.agentworkflow.exporter.demo;
