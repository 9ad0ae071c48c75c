// Package plots draws the charts of gotl's tutorials with gonum/plot.
package plots
