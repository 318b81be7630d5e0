/**
 * The state of one hub: its connections, the users they belong to, and its groups. A group has
 * two kinds of members, as in Azure: connections added by id (they leave when they close), and
 * users added by id, whose membership applies to all of the user's connections, current and
 * future, until it expires. That is what lets a membership survive a reconnect, which always
 * brings a new connection id.
 */
import type { ClientConnection } from './client-connection.js';

/** Without `ttl`, Azure keeps a user in a group for a year at most, and only the user's latest 100 such groups. */
const USER_GROUP_DEFAULT_LIFETIME_IN_MS = 365 * 24 * 60 * 60 * 1000;
const MAX_USER_GROUPS_WITHOUT_TTL = 100;

interface GroupMembers {
  readonly connections: Set<ClientConnection>;
  /** user id -> expiry time (epoch ms) */
  readonly users: Map<string, number>;
}

interface UserGroupMembership {
  expiresAt: number;
  withoutTtl: boolean;
}

export class Hub {
  readonly connections = new Map<string, ClientConnection>();
  private readonly connectionsOfUser = new Map<string, Set<ClientConnection>>();
  private readonly groups = new Map<string, GroupMembers>();
  /** user id -> group -> membership, in the order the memberships were last set. */
  private readonly groupsOfUser = new Map<string, Map<string, UserGroupMembership>>();

  isEmpty(): boolean {
    return this.connections.size === 0 && this.groupsOfUser.size === 0 && this.groups.size === 0;
  }

  add(connection: ClientConnection): void {
    this.connections.set(connection.id, connection);
    if (connection.userId === undefined) return;
    let own = this.connectionsOfUser.get(connection.userId);
    if (!own) this.connectionsOfUser.set(connection.userId, (own = new Set()));
    own.add(connection);
  }

  remove(connection: ClientConnection): void {
    if (this.connections.get(connection.id) !== connection) return;
    this.connections.delete(connection.id);
    for (const group of connection.groups) this.leaveByConnection(connection, group);
    if (connection.userId === undefined) return;
    const own = this.connectionsOfUser.get(connection.userId);
    own?.delete(connection);
    if (own?.size === 0) this.connectionsOfUser.delete(connection.userId);
  }

  forEachConnection(visit: (connection: ClientConnection) => void): void {
    for (const connection of this.connections.values()) visit(connection);
  }

  forEachOfUser(user: string, visit: (connection: ClientConnection) => void): void {
    const own = this.connectionsOfUser.get(user);
    if (own) for (const connection of own) visit(connection);
  }

  /** Visits each connection of the group once, whether it is a member by id or through its user. */
  forEachInGroup(group: string, now: number, visit: (connection: ClientConnection) => void): void {
    const members = this.groups.get(group);
    if (!members) return;
    for (const connection of members.connections) visit(connection);
    for (const [user, expiresAt] of members.users) {
      if (expiresAt <= now) {
        this.setUserMembership(user, group, undefined);
        continue;
      }
      const own = this.connectionsOfUser.get(user);
      if (!own) continue;
      for (const connection of own) if (!members.connections.has(connection)) visit(connection);
    }
  }

  /** False when the connection is not in this hub. */
  addConnectionToGroup(connectionId: string, group: string): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection) return false;
    this.joinByConnection(connection, group);
    return true;
  }

  /** False when the connection is not in this hub. */
  removeConnectionFromGroup(connectionId: string, group: string): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection) return false;
    this.leaveByConnection(connection, group);
    return true;
  }

  /** False when the connection is not in this hub. */
  removeConnectionFromAllGroups(connectionId: string): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection) return false;
    for (const group of [...connection.groups]) this.leaveByConnection(connection, group);
    return true;
  }

  /**
   * Adds a user to a group for `ttlInSeconds` (a year when undefined). A ttl of 0 adds only the
   * user's current connections, as Azure documents.
   */
  addUserToGroup(user: string, group: string, ttlInSeconds: number | undefined, now: number): void {
    if (ttlInSeconds === 0) {
      this.forEachOfUser(user, (connection) => this.joinByConnection(connection, group));
      return;
    }
    const withoutTtl = ttlInSeconds === undefined;
    const expiresAt = now + (withoutTtl ? USER_GROUP_DEFAULT_LIFETIME_IN_MS : ttlInSeconds * 1000);
    this.setUserMembership(user, group, { expiresAt, withoutTtl });
    if (withoutTtl) this.keepLatestGroupsWithoutTtl(user);
  }

  /** Removes the user's membership and takes the user's current connections out of the group. */
  removeUserFromGroup(user: string, group: string): void {
    this.setUserMembership(user, group, undefined);
    this.forEachOfUser(user, (connection) => this.leaveByConnection(connection, group));
  }

  removeUserFromAllGroups(user: string): void {
    const memberships = this.groupsOfUser.get(user);
    if (memberships) for (const group of [...memberships.keys()]) this.setUserMembership(user, group, undefined);
    this.forEachOfUser(user, (connection) => {
      for (const group of [...connection.groups]) this.leaveByConnection(connection, group);
    });
  }

  groupHasConnections(group: string, now: number): boolean {
    let found = false;
    this.forEachInGroup(group, now, () => (found = true));
    return found;
  }

  userHasConnections(user: string): boolean {
    return this.connectionsOfUser.has(user);
  }

  userInGroup(user: string, group: string, now: number): boolean {
    const membership = this.groupsOfUser.get(user)?.get(group);
    if (!membership) return false;
    if (membership.expiresAt > now) return true;
    this.setUserMembership(user, group, undefined);
    return false;
  }

  /** Drops expired user memberships (they are also dropped whenever they are met). */
  removeExpired(now: number): void {
    for (const [user, memberships] of this.groupsOfUser) {
      for (const [group, membership] of memberships) {
        if (membership.expiresAt <= now) this.setUserMembership(user, group, undefined);
      }
    }
  }

  private joinByConnection(connection: ClientConnection, group: string): void {
    this.membersOf(group).connections.add(connection);
    connection.groups.add(group);
  }

  private leaveByConnection(connection: ClientConnection, group: string): void {
    connection.groups.delete(group);
    const members = this.groups.get(group);
    if (!members) return;
    members.connections.delete(connection);
    this.dropIfEmpty(group, members);
  }

  /** The one place that changes a user membership, keeping both indexes in step. */
  private setUserMembership(user: string, group: string, membership: UserGroupMembership | undefined): void {
    let memberships = this.groupsOfUser.get(user);
    if (membership) {
      if (!memberships) this.groupsOfUser.set(user, (memberships = new Map()));
      memberships.delete(group); // re-inserted last: the most recently set
      memberships.set(group, membership);
      this.membersOf(group).users.set(user, membership.expiresAt);
      return;
    }
    if (memberships?.delete(group) && memberships.size === 0) this.groupsOfUser.delete(user);
    const members = this.groups.get(group);
    if (!members) return;
    members.users.delete(user);
    this.dropIfEmpty(group, members);
  }

  private keepLatestGroupsWithoutTtl(user: string): void {
    const memberships = this.groupsOfUser.get(user)!;
    let count = 0;
    for (const membership of memberships.values()) if (membership.withoutTtl) count++;
    for (const [group, membership] of memberships) {
      if (count <= MAX_USER_GROUPS_WITHOUT_TTL) return;
      if (!membership.withoutTtl) continue;
      this.setUserMembership(user, group, undefined);
      count--;
    }
  }

  private membersOf(group: string): GroupMembers {
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = { connections: new Set(), users: new Map() }));
    return members;
  }

  private dropIfEmpty(group: string, members: GroupMembers): void {
    if (members.connections.size === 0 && members.users.size === 0) this.groups.delete(group);
  }
}
