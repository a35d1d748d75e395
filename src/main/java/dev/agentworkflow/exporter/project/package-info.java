/**
 * Many databases in one exporter: what each is called (its {@code project} label), finding them by
 * --db-glob, and polling each on its own, so that one that is missing, locked, damaged or slow
 * changes nothing for the others.
 */
package dev.agentworkflow.exporter.project;
