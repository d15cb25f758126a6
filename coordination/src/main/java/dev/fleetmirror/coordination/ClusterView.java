package dev.fleetmirror.coordination;

import java.util.List;

/**
 * The cluster as this member sees it now.
 *
 * @param members every member, oldest first
 * @param quorum  true when at least {@code minimumSize} members are present
 */
public record ClusterView(String name, List<Member> members, boolean quorum) {

    public ClusterView {
        members = List.copyOf(members);
    }

    /**
     * @param id      member id
     * @param address the Hazelcast member address ({@code host:port})
     * @param peerUrl the member's HTTP base URL for peer requests ({@code ""} when unknown)
     * @param local   true for this member
     */
    public record Member(String id, String address, String peerUrl, boolean local) {
    }

    /** The oldest member: the one that takes cluster-wide decisions (GC leader). */
    public Member oldest() {
        return members.get(0);
    }
}
