package dev.agentworkflow.exporter.poll;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The ids a tracker knows the store's rows by: each row gets the next one when it first arrives,
 * so that a tracker sees ids rise in the order rows became visible, whatever their ids in their
 * files and whichever file they came from. Only the rows the tracker still follows (open ones)
 * keep theirs: a later change of any other row changes nothing the tracker counts, and is passed
 * over.
 */
final class ArrivalIds {
  private record Key(long source, long fileId) {}

  private long last;
  private final Map<Key, Long> followed = new HashMap<>();

  /** The id a changed row goes by, or -1 to pass it over (not new, and no longer followed). */
  long rowId(long source, long fileId, boolean isNew) {
    Key key = new Key(source, fileId);
    if (isNew) {
      long id = ++last;
      followed.put(key, id);
      return id;
    }
    Long id = followed.get(key);
    return id == null ? -1 : id;
  }

  /** Forgets every row whose id is not among {@code stillFollowed} (sorted). */
  void keepOnly(long[] stillFollowed) {
    followed.values().removeIf(id -> Arrays.binarySearch(stillFollowed, id) < 0);
  }
}
