/**
 * User-defined metrics ({@code --metrics-config}): the YAML file read into checked definitions.
 * Every problem in the file is found when it is read and reported as {@code FILE:LINE: what is
 * wrong}; the statements are checked to be one read-only SELECT each. {@code db} reads what the
 * definitions ask for, {@code track} counts row metrics, {@code metrics} renders them.
 */
package dev.agentworkflow.exporter.custom;
