package dev.agentworkflow.exporter.app;

import dev.agentworkflow.exporter.webconfig.WebConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Everything the exporter needs to run, already validated by the command line.
 *
 * @param databasePath the SQLite file, as the user gave it (shown as given in labels and pages)
 * @param listen where to serve HTTP; port 0 picks a free one
 * @param interval time between the end of a poll and the start of the next
 * @param staleAfter how long an unfinished invocation counts as running
 * @param timezone zone of timestamps written without an offset
 * @param maxLabelValues distinct values per label before new ones read as {@code other}
 * @param maxSeries label combinations per metric family before new ones are counted under the
 *     family's one overflow series (labels all {@code other})
 * @param version the exporter's version, for build_info and the landing page
 * @param web TLS, basic auth, headers and rate limit of the HTTP server ({@link WebConfig#NONE}: plain HTTP)
 * @param stateFile where the state survives restarts; empty: nowhere (every start counts from scratch)
 */
public record ExporterSettings(
    Path databasePath,
    InetSocketAddress listen,
    Duration interval,
    Duration staleAfter,
    ZoneId timezone,
    int maxLabelValues,
    int maxSeries,
    String version,
    WebConfig web,
    Optional<Path> stateFile) {}
