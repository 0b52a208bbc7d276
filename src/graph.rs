//! The module graph and the reload schedule, with `petgraph`.
//!
//! Rules (seed 000, `sync`): a tracked module is out of date when it changed, or when it depends
//! on an out-of-date tracked module; reloads run dependencies first. "Depends on" comes from
//! top-level imports; where they form a cycle, the imports of the more recently tracked module
//! that close it are ignored, so the order is a strict partial order and deterministic.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeRef};
use petgraph::Direction;

/// One tracked module as the scheduler sees it. Nodes are given in tracking order (oldest
/// first); that order breaks cycles and ties.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// Indices (into the node list) of the tracked modules this one imports at top level.
    pub deps: Vec<usize>,
    /// Whether sync considers it at all: its source file exists, and a registered statement
    /// names it or its file is in the workspace.
    pub eligible: bool,
    /// Whether a registered statement names it (a root of the schedule).
    pub attached: bool,
    /// Whether its source file's mtime differs from the last seen one.
    pub modified: bool,
}

/// One scheduled reload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    /// Index of the module in the node list.
    pub module: usize,
    /// Scheduled modules it depends on, in schedule order. A module that is not modified reloads
    /// only because of these.
    pub after: Vec<usize>,
}

/// Computes the reload schedule: every modified module reachable from an attached one (through
/// eligible modules), plus every such module that depends on a scheduled one, dependencies first;
/// ties go to the earlier tracked module.
pub fn schedule(nodes: &[Node]) -> Vec<Scheduled> {
    if !nodes.iter().any(|n| n.modified && n.eligible) {
        return Vec::new();
    }
    let mut graph: DiGraph<usize, ()> = DiGraph::with_capacity(nodes.len(), nodes.len());
    let ids: Vec<NodeIndex> = (0..nodes.len()).map(|i| graph.add_node(i)).collect();
    for (i, node) in nodes.iter().enumerate() {
        if !node.eligible {
            continue;
        }
        for &dep in &node.deps {
            if dep != i && dep < nodes.len() && nodes[dep].eligible && graph.find_edge(ids[i], ids[dep]).is_none() {
                graph.add_edge(ids[i], ids[dep], ());
            }
        }
    }

    // Keep only what registered statements reach.
    let mut reachable = vec![false; nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        if node.attached && node.eligible && !reachable[i] {
            let mut dfs = Dfs::new(&graph, ids[i]);
            while let Some(n) = dfs.next(&graph) {
                reachable[graph[n]] = true;
            }
        }
    }
    graph.retain_nodes(|g, n| reachable[g[n]]);

    break_cycles(&mut graph);

    // Dependencies first (Kahn's algorithm on the acyclic graph), earliest tracked first.
    let mut pending: Vec<usize> = vec![0; nodes.len()];
    let mut ready = BinaryHeap::new();
    for n in graph.node_indices() {
        let count = graph.edges_directed(n, Direction::Outgoing).count();
        pending[graph[n]] = count;
        if count == 0 {
            ready.push(Reverse((graph[n], n)));
        }
    }
    let mut position: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut result: Vec<Scheduled> = Vec::new();
    while let Some(Reverse((module, n))) = ready.pop() {
        let mut after: Vec<usize> =
            graph.edges_directed(n, Direction::Outgoing).map(|e| graph[e.target()]).filter(|&dep| position[dep].is_some()).collect();
        after.sort_by_key(|&dep| position[dep]);
        if nodes[module].modified || !after.is_empty() {
            position[module] = Some(result.len());
            result.push(Scheduled { module, after });
        }
        for e in graph.edges_directed(n, Direction::Incoming) {
            let importer = e.source();
            pending[graph[importer]] -= 1;
            if pending[graph[importer]] == 0 {
                ready.push(Reverse((graph[importer], importer)));
            }
        }
    }
    result
}

/// Removes, while a cycle remains, the edges by which the most recently tracked module of a
/// strongly connected component imports the other members of that component.
fn break_cycles(graph: &mut DiGraph<usize, ()>) {
    loop {
        let mut removed = false;
        for component in tarjan_scc(&*graph) {
            if component.len() < 2 {
                continue;
            }
            let newest = *component.iter().max_by_key(|&&n| graph[n]).expect("non-empty component");
            let closing: Vec<_> =
                graph.edges_directed(newest, Direction::Outgoing).filter(|e| component.contains(&e.target())).map(|e| e.id()).collect();
            for edge in closing.into_iter().rev() {
                graph.remove_edge(edge);
                removed = true;
            }
        }
        if !removed {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(deps: &[usize], attached: bool, modified: bool) -> Node {
        Node { deps: deps.to_vec(), eligible: true, attached, modified }
    }

    fn order(nodes: &[Node]) -> Vec<(usize, Vec<usize>)> {
        schedule(nodes).into_iter().map(|s| (s.module, s.after)).collect()
    }

    #[test]
    fn nothing_modified_schedules_nothing() {
        assert!(schedule(&[node(&[1], true, false), node(&[], false, false)]).is_empty());
    }

    #[test]
    fn dependents_follow_their_dependency() {
        // 0 imports 1 imports 2; 2 changed.
        let nodes = [node(&[1], true, false), node(&[2], false, false), node(&[], false, true)];
        assert_eq!(order(&nodes), [(2, vec![]), (1, vec![2]), (0, vec![1])]);
    }

    #[test]
    fn fan_in_lists_all_scheduled_dependencies() {
        let nodes = [node(&[1, 2], true, false), node(&[], true, true), node(&[], true, true)];
        assert_eq!(order(&nodes), [(1, vec![]), (2, vec![]), (0, vec![1, 2])]);
    }

    #[test]
    fn cycle_ignores_the_newer_modules_import() {
        // 0 <-> 1, 0 tracked first: 1's import of 0 is ignored, so 1 reloads first.
        let nodes = [node(&[1], true, true), node(&[0], false, true)];
        assert_eq!(order(&nodes), [(1, vec![]), (0, vec![1])]);
        // Only 0 modified: 1 does not depend on 0 any more, so only 0 reloads.
        let nodes = [node(&[1], true, true), node(&[0], false, false)];
        assert_eq!(order(&nodes), [(0, vec![])]);
    }

    #[test]
    fn three_cycle_and_self_import() {
        let nodes = [node(&[1, 0], true, false), node(&[2], false, false), node(&[0], false, true)];
        assert_eq!(order(&nodes), [(2, vec![]), (1, vec![2]), (0, vec![1])]);
    }

    #[test]
    fn unreachable_and_ineligible_modules_do_not_reload() {
        let mut nodes = vec![node(&[1], true, false), node(&[], false, true), node(&[], false, true)];
        assert_eq!(order(&nodes), [(1, vec![]), (0, vec![1])]);
        nodes[1].eligible = false;
        assert!(schedule(&nodes).is_empty());
    }
}
